export * from './ops.module';
export * from './rate-limit/not-rate-limited.decorator';
export * from './rate-limit/anonymous-rate-limit.middleware';
