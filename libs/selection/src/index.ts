export * from './dtos/selection.request.dto';
export { SelectionModule } from './selection.module';
export { SelectionService } from './selection.service';
