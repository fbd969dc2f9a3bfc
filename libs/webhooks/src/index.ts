export * from './webhooks.module';
export * from './webhook.types';
export * from './jobs/webhook-jobs';
export { WebhooksService } from './services/webhooks.service';
