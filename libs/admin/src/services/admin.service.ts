import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '@app/audit';
import { AuthUser } from '@app/auth';
import { AppConfig, recordIdempotentResponse, runInTransaction, toPage, ValidationException } from '@app/core';
import { CreditOperationType, CreditsService } from '@app/credits';
import {
  EnrichmentAdminService,
  EnrichmentListQuery,
  EnrichmentStatus,
  EnrichmentView,
  OperationProgress,
} from '@app/enrichment';
import { GrantCreditsRequestDto } from '../dtos/grant-credits.request.dto';
import { GrantCreditsResponseDto } from '../dtos/grant-credits.response.dto';
import { AdminOrgResponseDto } from '../dtos/admin-org.response.dto';
import { AuditQueryRequestDto } from '../dtos/audit-query.request.dto';
import { AuditPageResponseDto } from '../dtos/audit-page.response.dto';
import { AdminEnrichmentPageResponseDto } from '../dtos/admin-enrichments.response.dto';

export enum AuditAction {
  GRANT_CREDITS = 'credits.grant',
  RETRY_ENRICHMENT = 'enrichment.retry',
  CANCEL_OPERATION = 'operation.cancel',
}

const FIELD_OF_OPERATION: Record<CreditOperationType, string> = {
  [CreditOperationType.ENRICHMENT_EMAIL]: 'emails',
  [CreditOperationType.ENRICHMENT_PHONE]: 'phones',
};

/**
 * The admin console's use cases. Every change is written to the audit log in the same
 * transaction as the change itself, so there is never one without the other.
 */
@Injectable()
export class AdminService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly credits: CreditsService,
    private readonly enrichments: EnrichmentAdminService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  async grantCredits(admin: AuthUser, orgId: string, body: GrantCreditsRequestDto): Promise<GrantCreditsResponseDto> {
    if (body.amount > this.config.MAX_GRANT) {
      throw new ValidationException('Request validation failed', {
        fields: [
          { field: 'amount', messages: [`amount must not be greater than ${this.config.MAX_GRANT} (MAX_GRANT)`] },
        ],
      });
    }
    const expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now()) {
      throw new ValidationException('Request validation failed', {
        fields: [{ field: 'expiresAt', messages: ['expiresAt must be in the future'] }],
      });
    }
    return runInTransaction(this.dataSource, async (manager) => {
      const granted = await this.credits.grant(manager, {
        orgId,
        amount: body.amount,
        source: body.source,
        description: body.description,
        expiresAt,
        createdBy: admin.userId,
      });
      await this.audit.record(manager, {
        ...this.actor(admin),
        action: AuditAction.GRANT_CREDITS,
        orgId,
        targetType: 'credit_transaction',
        targetId: granted.transactionId,
        details: {
          amount: body.amount,
          source: body.source,
          description: body.description ?? null,
          expiresAt: body.expiresAt ?? null,
        },
      });
      const response: GrantCreditsResponseDto = {
        transactionId: granted.transactionId,
        organizationId: orgId,
        balance: granted.balance.available,
        held: granted.balance.held,
      };
      await recordIdempotentResponse(manager, { body: response });
      return response;
    });
  }

  async organisation(orgId: string): Promise<AdminOrgResponseDto> {
    const [balance, usage, counts] = await Promise.all([
      this.credits.getBalance(orgId),
      this.credits.usage(orgId),
      this.enrichments.countsByStatus(orgId),
    ]);
    const byStatus = Object.fromEntries(Object.values(EnrichmentStatus).map((status) => [status, 0])) as Record<
      EnrichmentStatus,
      number
    >;
    for (const row of counts) byStatus[row.status] += row.count;
    return {
      organizationId: orgId,
      balance: balance.available,
      held: balance.held,
      usage: usage.map((row) => ({
        field: FIELD_OF_OPERATION[row.operationType],
        period: row.period,
        creditsConsumed: row.creditsConsumed,
        enrichmentsCharged: row.enrichmentsCharged,
      })),
      enrichmentsByStatus: byStatus,
      enrichments: counts,
    };
  }

  async listEnrichments(query: EnrichmentListQuery): Promise<AdminEnrichmentPageResponseDto> {
    const { items, total } = await this.enrichments.list(query);
    return toPage(items, total, query.page, query.size);
  }

  retryEnrichment(admin: AuthUser, enrichmentId: string): Promise<EnrichmentView> {
    return this.enrichments.retry(enrichmentId, admin.userId, async (manager, orgId) => {
      await this.audit.record(manager, {
        ...this.actor(admin),
        action: AuditAction.RETRY_ENRICHMENT,
        orgId,
        targetType: 'enrichment',
        targetId: enrichmentId,
      });
    });
  }

  cancelOperation(admin: AuthUser, operationId: string): Promise<OperationProgress> {
    return this.enrichments.cancelOperation(operationId, async (manager, orgId) => {
      await this.audit.record(manager, {
        ...this.actor(admin),
        action: AuditAction.CANCEL_OPERATION,
        orgId,
        targetType: 'operation',
        targetId: operationId,
      });
    });
  }

  async auditLog(query: AuditQueryRequestDto): Promise<AuditPageResponseDto> {
    const { items, total } = await this.audit.list(query);
    return toPage(items, total, query.page, query.size);
  }

  private actor(admin: AuthUser) {
    return { actorId: admin.userId, actorOrgId: admin.orgId };
  }
}
