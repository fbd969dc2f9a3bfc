export * from './privacy.module';
export * from './privacy.types';
export { lockSharedAnySuppressionSql, PrivacyService } from './services/privacy.service';
export { normaliseEmail, normalisePhone, requireSuppressionValue } from './services/suppression-value';
export * from './dtos/create-suppression.request.dto';
export * from './dtos/suppression-list.request.dto';
export * from './dtos/suppression.response.dto';
export * from './dtos/erasure.response.dto';
