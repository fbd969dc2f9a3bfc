import { Body, Delete, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
} from '@nestjs/swagger';
import { ErrorEnvelopeDto, UuidParamPipe } from '@app/core';
import { AuthUser } from '../../auth-user';
import { CurrentUser, OwnerController } from '../../decorators';
import { ApiKeyResponseDto, CreatedApiKeyResponseDto } from '../dtos/api-key.response.dto';
import { CreateApiKeyRequestDto } from '../dtos/create-api-key.request.dto';
import { RotateApiKeyRequestDto } from '../dtos/rotate-api-key.request.dto';
import { ApiKeysService } from '../services/api-keys.service';

const ID_PARAM = { name: 'id', format: 'uuid', description: 'The API key id' } as const;
const NOT_FOUND = { type: ErrorEnvelopeDto, description: "NOT_FOUND: no such key in the caller's org" };

/** The org's API keys, managed by its owners with a user token (a key never manages keys). */
@OwnerController('api/v1/api-keys', { tag: 'api-keys' })
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    summary: 'Create an API key for a partner',
    description:
      'The answer carries the secret (`ce_live_…`), shown this once. Send it as `X-API-Key: <key>` or ' +
      '`Authorization: Bearer <key>`; the key acts for this org with its scopes.',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyResponseDto })
  create(@Body() body: CreateApiKeyRequestDto, @CurrentUser() user: AuthUser): Promise<CreatedApiKeyResponseDto> {
    return this.keys.create(user, body);
  }

  @Get()
  @ApiOperation({ summary: "The org's API keys, newest first, revoked ones included (never the secrets)" })
  @ApiOkResponse({ type: [ApiKeyResponseDto] })
  list(@CurrentUser() user: AuthUser): Promise<ApiKeyResponseDto[]> {
    return this.keys.list(user.orgId);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Revoke a key: refused from the next request on, in every process' })
  @ApiParam(ID_PARAM)
  @ApiNoContentResponse({ description: 'Revoked (revoking a revoked key changes nothing)' })
  @ApiNotFoundResponse(NOT_FOUND)
  revoke(@Param('id', UuidParamPipe) id: string, @CurrentUser() user: AuthUser): Promise<void> {
    return this.keys.revoke(user, id);
  }

  @Post(':id/rotate')
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    summary: 'Issue a new secret for a key',
    description:
      'Same id, scopes and expiry. The old secret stops at once, or after `graceSeconds` (at most 86400). ' +
      'The new secret is shown this once.',
  })
  @ApiParam(ID_PARAM)
  @ApiCreatedResponse({ type: CreatedApiKeyResponseDto })
  @ApiNotFoundResponse(NOT_FOUND)
  @ApiConflictResponse({ type: ErrorEnvelopeDto, description: 'CONFLICT: the key is revoked or expired' })
  rotate(
    @Param('id', UuidParamPipe) id: string,
    @Body() body: RotateApiKeyRequestDto,
    @CurrentUser() user: AuthUser,
  ): Promise<CreatedApiKeyResponseDto> {
    return this.keys.rotate(user, id, body.graceSeconds);
  }
}
