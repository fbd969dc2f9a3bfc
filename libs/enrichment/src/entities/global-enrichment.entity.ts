import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { ContactField } from '@app/core';
import { EntityType } from '../enrichment.types';
import type { FoundContactData } from '@app/providers';

/** What a provider found for a lead and field, shared by every org (the global cache). */
@Entity('global_enrichment')
// Led by the lead: every read asks for a set of leads (migration GlobalCacheKeyByEntity).
@Unique('UQ_global_enrichment_entity_field', ['entityId', 'entityType', 'field'])
@Index('IDX_global_enrichment_found_at', ['foundAt'])
export class GlobalEnrichmentEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'entity_type', type: 'varchar', length: 32 })
  entityType: EntityType;

  @Column({ name: 'entity_id', type: 'uuid' })
  entityId: string;

  @Column({ type: 'varchar', length: 16 })
  field: ContactField;

  @Column({ type: 'jsonb' })
  data: FoundContactData;

  @Column({ type: 'varchar', length: 64 })
  provider: string;

  /** When a provider last returned this data: the clock of the cache's freshness and of retention. */
  @Column({ name: 'found_at', type: 'timestamptz' })
  foundAt: Date;
}
