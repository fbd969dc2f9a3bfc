import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { queryRows, ValidationException } from '@app/core';
import { CreditOperationType, CreditTransactionType } from '../credit.types';
import { UsageRequestDto } from './usage.request.dto';
import { UsageResponseDto, UsageRowResponseDto } from './usage.response.dto';

const MAX_RANGE_MS = 400 * 24 * 3600 * 1000;

/** What a charge is grouped by: the field from its operation type, the user or key from its hold. */
const KEY_SQL = {
  field: `CASE t.operation_type WHEN '${CreditOperationType.ENRICHMENT_EMAIL}' THEN 'emails'
                                WHEN '${CreditOperationType.ENRICHMENT_PHONE}' THEN 'phones' END`,
  user: 'h.created_by',
  api_key: `h.metadata->>'apiKeyId'`,
} as const;

/**
 * Credits consumed and enrichments charged per UTC day or month and per field, user or API
 * key, from the ledger's captures (read through its (org, created_at) index).
 */
@Injectable()
export class UsageReadModel {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async usage(orgId: string, query: UsageRequestDto): Promise<UsageResponseDto> {
    const now = new Date();
    const from = query.from ? new Date(query.from) : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const to = query.to ? new Date(query.to) : now;
    if (to.getTime() <= from.getTime() || to.getTime() - from.getTime() > MAX_RANGE_MS) {
      throw new ValidationException('Request validation failed', {
        fields: [{ field: 'to', messages: ['to must be after from, and at most 400 days after it'] }],
      });
    }
    const format = query.groupBy === 'day' ? 'YYYY-MM-DD' : 'YYYY-MM';
    const rows = await queryRows<UsageRowResponseDto>(
      this.dataSource,
      `SELECT to_char(date_trunc($4, t.created_at AT TIME ZONE 'UTC'), '${format}') AS period,
              ${KEY_SQL[query.by]} AS key,
              sum(t.amount)::bigint AS "creditsConsumed", count(*)::int AS "enrichmentsCharged"
         FROM credit_transaction t
         JOIN credit_transaction h ON h.id = t.hold_id
        WHERE t.org_id = $1 AND t.type = '${CreditTransactionType.CONSUMED}' AND t.created_at >= $2 AND t.created_at < $3
        GROUP BY 1, 2 ORDER BY 1, 2 NULLS FIRST`,
      [orgId, from, to, query.groupBy],
    );
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      groupBy: query.groupBy,
      by: query.by,
      rows: rows.map((row) => ({ ...row, creditsConsumed: Number(row.creditsConsumed) })),
    };
  }
}

/** The same rows as CSV (RFC 4180: fields with a comma, quote or line break are quoted). */
export function usageToCsv(usage: UsageResponseDto): string {
  const cell = (value: string | number | null) => {
    const text = value === null ? '' : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [
    ['period', usage.by, 'creditsConsumed', 'enrichmentsCharged'].join(','),
    ...usage.rows.map((row) => [row.period, row.key, row.creditsConsumed, row.enrichmentsCharged].map(cell).join(',')),
  ];
  return `${lines.join('\r\n')}\r\n`;
}
