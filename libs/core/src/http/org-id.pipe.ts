import { Injectable, PipeTransform } from '@nestjs/common';
import { ValidationException } from '../errors/app.exception';

const ORG_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** Org ids are opaque tokens from the identity provider: letters, digits, _ and -, at most 128. */
@Injectable()
export class OrgIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!ORG_ID.test(value)) {
      throw new ValidationException('Invalid organisation id', {
        fields: [{ field: 'orgId', messages: ['orgId must be 1-128 letters, digits, _ or -'] }],
      });
    }
    return value;
  }
}
