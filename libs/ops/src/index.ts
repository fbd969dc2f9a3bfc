export * from './ops.module';
export * from './rate-limit/not-rate-limited.decorator';
export * from './rate-limit/anonymous-rate-limit.middleware';
export { DASHBOARD_LOGIN_SCRIPT_CSP_SOURCE } from './controllers/queue-dashboard.login-page';
