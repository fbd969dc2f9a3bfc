import { BullModule } from '@nestjs/bull';
import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WebhooksController } from './controllers/webhooks.controller';
import { WebhookDeliveryEntity } from './entities/webhook-delivery.entity';
import { WebhookEndpointEntity } from './entities/webhook-endpoint.entity';
import { WebhookEventEntity } from './entities/webhook-event.entity';
import { WebhookQueueName } from './jobs/webhook-jobs';
import { WebhooksProcessor } from './jobs/webhooks.processor';
import { WebhookDeliveryService } from './services/webhook-delivery.service';
import { WebhookEndpointsService } from './services/webhook-endpoints.service';
import { WebhookQueueService } from './services/webhook-queue.service';
import { WebhooksService } from './services/webhooks.service';
import { WebhookSweepService } from './services/webhook-sweep.service';

const ENTITIES = [WebhookEndpointEntity, WebhookEventEntity, WebhookDeliveryEntity];

export interface WebhooksModuleOptions {
  /** Serve the HTTP endpoints (the api app). */
  http: boolean;
  /** Run the delivery processor and the sweep in this process. */
  workers: boolean;
}

/** The endpoints and/or the processor, on top of the facade module; built by `WebhooksModule.register`. */
@Module({})
export class WebhooksRuntimeModule {}

/**
 * Org-registered endpoints, signed event deliveries with retries, and their log.
 *
 * Other modules import the static `WebhooksModule` and inject the facade, `WebhooksService`.
 * Nest identifies modules by reference, so this one class exists once however many modules
 * import it; the apps add the controller and the processor with `register()`.
 */
@Module({
  imports: [TypeOrmModule.forFeature(ENTITIES), BullModule.registerQueue({ name: WebhookQueueName.WEBHOOKS })],
  providers: [WebhookQueueService, WebhooksService],
  // The queue service and the queue are for the runtime module below; the facade is the public face.
  exports: [WebhooksService, WebhookQueueService, BullModule],
})
export class WebhooksModule {
  static register({ http, workers }: WebhooksModuleOptions): DynamicModule {
    return {
      module: WebhooksRuntimeModule,
      imports: [WebhooksModule, TypeOrmModule.forFeature(ENTITIES)],
      controllers: http ? [WebhooksController] : [],
      providers: [
        ...(http ? [WebhookEndpointsService] : []),
        ...(workers ? [WebhookDeliveryService, WebhooksProcessor, WebhookSweepService] : []),
      ],
    };
  }
}
