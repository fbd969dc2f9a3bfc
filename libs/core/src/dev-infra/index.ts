export * from './ensure-dev-infra';
export * from './embedded-postgres';
export * from './embedded-redis';
export * from './reachability';
