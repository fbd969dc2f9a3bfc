import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import Bull, { Queue } from 'bull';

/**
 * Every Bull queue registered in this app (`BullModule.registerQueue` anywhere), found once at
 * bootstrap, so the dashboard and the queue metrics show new queues without being told.
 */
@Injectable()
export class QueueRegistry implements OnApplicationBootstrap {
  private found: Queue[] = [];

  constructor(private readonly discovery: DiscoveryService) {}

  onApplicationBootstrap(): void {
    const byName = new Map<string, Queue>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (instance instanceof Bull) byName.set(instance.name, instance);
    }
    this.found = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  queues(): readonly Queue[] {
    return this.found;
  }
}
