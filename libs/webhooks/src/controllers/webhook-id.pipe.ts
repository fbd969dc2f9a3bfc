import { Injectable, PipeTransform } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { ValidationException } from '@app/core';

/** A malformed id is the client's mistake (400), not a lookup that finds nothing. */
@Injectable()
export class WebhookIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isUUID(value)) {
      throw new ValidationException('Invalid webhook id', {
        fields: [{ field: 'id', messages: ['id must be a UUID'] }],
      });
    }
    return value;
  }
}
