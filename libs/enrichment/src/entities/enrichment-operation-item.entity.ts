import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Which enrichments an operation selected, in selection order; `reused` ones belong to earlier requests. */
@Entity('enrichment_operation_item')
@Index('IDX_enrichment_operation_item_enrichment', ['enrichmentId'])
export class EnrichmentOperationItemEntity {
  @PrimaryColumn({ name: 'operation_id', type: 'uuid' })
  operationId: string;

  @PrimaryColumn({ name: 'enrichment_id', type: 'uuid' })
  enrichmentId: string;

  @Column({ type: 'integer' })
  position: number;

  @Column({ type: 'boolean' })
  reused: boolean;
}
