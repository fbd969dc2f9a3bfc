import { Logger } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';

/** Points where a test may make the process fail (FAULT_INJECT; never honoured in production). */
export enum FaultPoint {
  /** A request's effect has committed; its answer is not sent yet. */
  IDEMPOTENCY_AFTER_EFFECT = 'idempotency-after-effect',
}

/** `<point>` fails there with an error (a 500); `<point>-hang` stops there for good, so a test can SIGKILL the process at that point. */
export const FAULT_INJECT_VALUES = Object.values(FaultPoint).flatMap((point) => [point, `${point}-hang`]);

const logger = new Logger('FaultInjection');

/**
 * Test-only: acts when FAULT_INJECT names this point. loadConfig clears FAULT_INJECT when
 * NODE_ENV=production, so in production this is a comparison and nothing else.
 */
export async function injectFault(config: Pick<AppConfig, 'FAULT_INJECT'>, point: FaultPoint): Promise<void> {
  // FAULT_INJECT is the configured text; the point's value is what it is compared with.
  const name: string = point;
  if (config.FAULT_INJECT === name) throw new Error(`Injected fault at ${point}`);
  if (config.FAULT_INJECT === `${point}-hang`) {
    // The marker a supervising test waits for before it SIGKILLs this process.
    logger.warn(`Injected fault at ${point}: hanging`);
    await new Promise<never>(() => undefined);
  }
}
