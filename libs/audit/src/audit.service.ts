import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { pageWindow, selectPage } from '@app/core';

export interface AuditEntry {
  actorId: string;
  actorOrgId: string;
  action: string;
  orgId?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  details?: Record<string, unknown> | null;
}

export interface AuditRecord extends Required<AuditEntry> {
  id: string;
  createdAt: string;
}

export interface AuditQuery {
  orgId?: string;
  action?: string;
  page: number;
  size: number;
}

/** The audit log's facade: written inside the admin action's own transaction, so neither exists without the other. */
@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async record(manager: EntityManager, entry: AuditEntry): Promise<void> {
    await manager.query(
      `INSERT INTO audit_log (actor_id, actor_org_id, action, org_id, target_type, target_id, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        entry.actorId,
        entry.actorOrgId,
        entry.action,
        entry.orgId ?? null,
        entry.targetType ?? null,
        entry.targetId ?? null,
        entry.details ?? null,
      ],
    );
  }

  async list(query: AuditQuery): Promise<{ items: AuditRecord[]; total: number }> {
    const where = 'WHERE ($1::varchar IS NULL OR org_id = $1) AND ($2::varchar IS NULL OR action = $2)';
    const filters = [query.orgId ?? null, query.action ?? null];
    const { rows: items, total } = await selectPage<AuditRecord>(
      this.dataSource,
      {
        columns: `id, actor_id AS "actorId", actor_org_id AS "actorOrgId", action, org_id AS "orgId",
                  target_type AS "targetType", target_id AS "targetId", details,
                  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt"`,
        from: 'audit_log',
        where,
        orderBy: 'created_at DESC, id',
        params: filters,
      },
      pageWindow(query),
    );
    return { items, total };
  }
}
