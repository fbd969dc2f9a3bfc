import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService } from '@app/audit';
import { AuthUser } from '@app/auth';
import { runInTransaction, toPage, ValidationException } from '@app/core';
import { EnrichmentDataService, RemovedEnrichment } from '@app/enrichment';
import {
  CreateSuppressionRequestDto,
  ErasureReceipt,
  NewSuppression,
  normaliseEmail,
  normalisePhone,
  PrivacyService,
  requireSuppressionValue,
  SuppressionKind,
  SuppressionListRequestDto,
  SuppressionPageResponseDto,
  SuppressionView,
} from '@app/privacy';
import { WebhooksService } from '@app/webhooks';
import { CreateErasureRequestDto } from '../dtos/create-erasure.request.dto';

export enum PrivacyAuditAction {
  CREATE_SUPPRESSION = 'suppression.create',
  DELETE_SUPPRESSION = 'suppression.delete',
  ERASURE = 'privacy.erasure',
}

/**
 * The admin console's privacy use cases: the platform-wide suppression list, and erasure,
 * which it orchestrates across the enrichment, privacy, webhooks and audit facades in one
 * transaction (so `privacy` never needs to know enrichments).
 */
@Injectable()
export class AdminPrivacyService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly privacy: PrivacyService,
    private readonly enrichmentData: EnrichmentDataService,
    private readonly webhooks: WebhooksService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Erases the found contact data of every lead matching the request, everywhere (global
   * cache, every org's enrichments), suppresses the leads and every value they held, tells
   * each org that held any (`contact.erased`), writes the receipt and the audit entry. The
   * ledger is not touched: it holds amounts and ids, never contact data.
   */
  async erase(admin: AuthUser, body: CreateErasureRequestDto): Promise<ErasureReceipt> {
    if (body.personId === undefined && body.email === undefined && body.phone === undefined) {
      throw new ValidationException('Name what to erase', {
        fields: [{ field: 'personId', messages: ['one of personId, email or phone is required'] }],
      });
    }
    const email = body.email === undefined ? null : requireSuppressionValue(SuppressionKind.EMAIL, body.email, 'email');
    const phone = body.phone === undefined ? null : requireSuppressionValue(SuppressionKind.PHONE, body.phone, 'phone');
    const id = randomUUID();
    const receipt = await runInTransaction(this.dataSource, async (manager) => {
      // Exclusive: no processor stores or points at data between the match and the deletion.
      await this.privacy.lockExclusive(manager);
      const personIds = [
        ...new Set([
          ...(body.personId ? [body.personId.toLowerCase()] : []),
          ...(await this.enrichmentData.leadsHolding(manager, { email, phone })),
        ]),
      ].sort();
      const removed = await this.enrichmentData.removeForLeads(manager, personIds);
      const reason = `erasure ${id}`;
      const entry = (kind: SuppressionKind, value: string): NewSuppression => ({
        kind,
        value,
        reason,
        createdBy: admin.userId,
      });
      await this.privacy.suppressWithin(manager, [
        ...personIds.map((personId) => entry(SuppressionKind.PERSON, personId)),
        ...[email, ...removed.emails.map(normaliseEmail)].flatMap((value) =>
          value ? [entry(SuppressionKind.EMAIL, value)] : [],
        ),
        ...[phone, ...removed.phones.map(normalisePhone)].flatMap((value) =>
          value ? [entry(SuppressionKind.PHONE, value)] : [],
        ),
      ]);
      const orgs = new Set(removed.enrichments.map((enrichment) => enrichment.orgId));
      const done: ErasureReceipt = {
        id,
        matched: { personIds, email, phone },
        records: removed.enrichments.length,
        orgs: orgs.size,
        cacheEntries: removed.cacheEntries,
        requestedBy: admin.userId,
        completedAt: new Date().toISOString(),
      };
      await this.privacy.recordErasure(manager, done);
      for (const [key, enrichments] of groupByOrgAndLead(removed.enrichments)) {
        const [orgId, entityId] = key.split(' ');
        await this.webhooks.publish(manager, orgId, {
          type: 'contact.erased',
          data: {
            erasureId: id,
            entityType: 'person',
            entityId,
            fields: [...new Set(enrichments.map((enrichment) => enrichment.field))].sort(),
            enrichmentIds: enrichments.map((enrichment) => enrichment.id),
            erasedAt: done.completedAt,
          },
        });
      }
      await this.audit.record(manager, {
        actorId: admin.userId,
        actorOrgId: admin.orgId,
        action: PrivacyAuditAction.ERASURE,
        targetType: 'erasure',
        targetId: id,
        // Lead ids and counts only: the audit log must not become a copy of what was erased.
        details: { personIds, records: done.records, orgs: done.orgs, cacheEntries: done.cacheEntries },
      });
      return done;
    });
    await this.webhooks.dispatchPending();
    return receipt;
  }

  findErasure(id: string): Promise<ErasureReceipt> {
    return this.privacy.findErasure(id);
  }

  addSuppression(admin: AuthUser, body: CreateSuppressionRequestDto): Promise<SuppressionView> {
    return this.privacy.addSuppression({ platform: true }, { ...body, createdBy: admin.userId }, (manager, entry) =>
      this.audit.record(manager, {
        actorId: admin.userId,
        actorOrgId: admin.orgId,
        action: PrivacyAuditAction.CREATE_SUPPRESSION,
        targetType: 'suppression',
        targetId: entry.id,
        details: { kind: entry.kind, reason: entry.reason },
      }),
    );
  }

  async listSuppressions(query: SuppressionListRequestDto): Promise<SuppressionPageResponseDto> {
    const { items, total } = await this.privacy.listSuppressions({ platform: true }, query);
    return toPage(items, total, query.page, query.size);
  }

  removeSuppression(admin: AuthUser, id: string): Promise<void> {
    return this.privacy.removeSuppression({ platform: true }, id, (manager, entry) =>
      this.audit.record(manager, {
        actorId: admin.userId,
        actorOrgId: admin.orgId,
        action: PrivacyAuditAction.DELETE_SUPPRESSION,
        targetType: 'suppression',
        targetId: entry.id,
        details: { kind: entry.kind },
      }),
    );
  }
}

/** "<org> <lead>" → that org's enrichments of that lead (an org id never contains a space). */
function groupByOrgAndLead(enrichments: readonly RemovedEnrichment[]): Map<string, RemovedEnrichment[]> {
  const groups = new Map<string, RemovedEnrichment[]>();
  for (const enrichment of enrichments) {
    const key = `${enrichment.orgId} ${enrichment.entityId}`;
    groups.set(key, [...(groups.get(key) ?? []), enrichment]);
  }
  return groups;
}
