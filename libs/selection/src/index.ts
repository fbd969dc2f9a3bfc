export * from './dtos/selection.request.dto';
export { SelectionModule } from './selection.module';
export { SelectionService, UNKNOWN_IDS_REPORTED } from './selection.service';
