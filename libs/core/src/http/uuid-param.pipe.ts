import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { ValidationException } from '../errors/app.exception';

/** A path id that is not a uuid is the client's mistake (400 naming the parameter), never a database error. */
@Injectable()
export class UuidParamPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (isUUID(value)) return value.toLowerCase();
    const field = metadata.data ?? 'id';
    throw new ValidationException(`Invalid ${field}`, { fields: [{ field, messages: [`${field} must be a UUID`] }] });
  }
}
