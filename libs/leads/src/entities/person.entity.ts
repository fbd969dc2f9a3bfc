import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A lead. Text filters match case-insensitively through expression indexes on lower(col);
 * those indexes live in the migration (`synchronize: false` here) because TypeORM cannot
 * describe expression indexes. Skills are stored lower-cased so any-of is a GIN `&&`.
 */
@Entity('person')
@Index('IDX_person_order', ['lastName', 'firstName', 'id'])
@Index('IDX_person_job_title_lower', { synchronize: false })
@Index('IDX_person_seniority_lower', { synchronize: false })
@Index('IDX_person_department_lower', { synchronize: false })
@Index('IDX_person_country_lower', { synchronize: false })
@Index('IDX_person_state_lower', { synchronize: false })
@Index('IDX_person_city_lower', { synchronize: false })
@Index('IDX_person_company_name_lower', { synchronize: false })
@Index('IDX_person_company_domain_lower', { synchronize: false })
@Index('IDX_person_company_industry_lower', { synchronize: false })
@Index('IDX_person_skills', { synchronize: false })
@Index('IDX_person_company_employee_size', ['companyEmployeeSize'])
export class PersonEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'first_name', type: 'varchar', length: 100 })
  firstName: string;

  @Column({ name: 'last_name', type: 'varchar', length: 100 })
  lastName: string;

  @Column({ name: 'job_title', type: 'varchar', length: 200 })
  jobTitle: string;

  @Column({ type: 'varchar', length: 50 })
  seniority: string;

  @Column({ type: 'varchar', length: 100 })
  department: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  skills: string[];

  @Column({ type: 'varchar', length: 100 })
  country: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  state: string | null;

  @Column({ type: 'varchar', length: 100 })
  city: string;

  @Column({ name: 'company_name', type: 'varchar', length: 200 })
  companyName: string;

  @Column({ name: 'company_domain', type: 'varchar', length: 200 })
  companyDomain: string;

  @Column({ name: 'company_industry', type: 'varchar', length: 100 })
  companyIndustry: string;

  @Column({ name: 'company_employee_size', type: 'integer' })
  companyEmployeeSize: number;

  @Column({ name: 'linkedin_url', type: 'varchar', length: 300, nullable: true })
  linkedinUrl: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
