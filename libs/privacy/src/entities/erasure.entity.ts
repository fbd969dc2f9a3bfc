import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An erasure receipt: what was asked, what matched, how much was removed, when. Never the removed values. */
@Entity('erasure')
export class ErasureEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'requested_by', type: 'varchar', length: 256 })
  requestedBy: string;

  @Column({ name: 'person_ids', type: 'uuid', array: true })
  personIds: string[];

  /** The email the erasure was asked for (normalised); kept as the suppression list keeps it. */
  @Column({ type: 'varchar', length: 320, nullable: true })
  email: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  phone: string | null;

  @Column({ type: 'integer' })
  records: number;

  @Column({ type: 'integer' })
  orgs: number;

  @Column({ name: 'cache_entries', type: 'integer' })
  cacheEntries: number;

  @Column({ name: 'completed_at', type: 'timestamptz' })
  completedAt: Date;
}
