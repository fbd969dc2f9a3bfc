import { applyDecorators, Controller } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiTags } from '@nestjs/swagger';
import { Role, Roles } from '@app/auth';
import { ErrorEnvelopeDto } from '@app/core';

/** Every admin console controller: role `admin` only, documented as such. */
export const AdminController = (path: string) =>
  applyDecorators(
    Controller(path),
    ApiTags('admin'),
    ApiBearerAuth(),
    Roles(Role.ADMIN),
    ApiForbiddenResponse({ type: ErrorEnvelopeDto, description: 'FORBIDDEN: the token is not an admin token' }),
  );
