export * from './ops.module';
export * from './rate-limit/not-rate-limited.decorator';
