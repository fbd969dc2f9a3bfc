import { Body, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
} from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '@app/auth';
import { ErrorEnvelopeDto, UuidParamPipe } from '@app/core';
import {
  CreateSuppressionRequestDto,
  ErasureResponseDto,
  SuppressionListRequestDto,
  SuppressionPageResponseDto,
  SuppressionResponseDto,
} from '@app/privacy';
import { CreateErasureRequestDto } from '../dtos/create-erasure.request.dto';
import { AdminPrivacyService } from '../services/admin-privacy.service';
import { AdminController } from './admin-controller.decorator';

@AdminController('api/v1/admin')
export class AdminPrivacyController {
  constructor(private readonly privacy: AdminPrivacyService) {}

  @Post('suppressions')
  @ApiOperation({
    summary: 'Add a person, email, email domain or phone to the platform-wide suppression list',
    description:
      'Applies to every organisation: suppressed leads are never sent to a provider and end not found, uncharged; suppressed values are dropped from provider answers. An entry that exists is answered as it is. Audited.',
  })
  @ApiCreatedResponse({ type: SuppressionResponseDto })
  create(@CurrentUser() admin: AuthUser, @Body() body: CreateSuppressionRequestDto): Promise<SuppressionResponseDto> {
    return this.privacy.addSuppression(admin, body);
  }

  @Get('suppressions')
  @ApiOperation({ summary: 'The platform-wide suppression list, newest first, paged, by kind' })
  @ApiOkResponse({ type: SuppressionPageResponseDto })
  list(@Query() query: SuppressionListRequestDto): Promise<SuppressionPageResponseDto> {
    return this.privacy.listSuppressions(query);
  }

  @Delete('suppressions/:suppressionId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Remove an entry from the platform-wide list; audited' })
  @ApiParam({ name: 'suppressionId', format: 'uuid' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorEnvelopeDto, description: 'NOT_FOUND' })
  remove(@CurrentUser() admin: AuthUser, @Param('suppressionId', UuidParamPipe) id: string): Promise<void> {
    return this.privacy.removeSuppression(admin, id);
  }

  @Post('erasures')
  @ApiOperation({
    summary: 'Erase a person’s contact data everywhere (GDPR Art. 17, CCPA deletion)',
    description:
      'Matches leads by personId, or by an email or phone found in their stored data. Deletes their found emails and phones from the global cache and every organisation’s enrichments (the enrichments stay, with dataFound and purgedAt), suppresses the leads and every value they held, sends each organisation that held any a contact.erased webhook event, and writes the audit log. The ledger keeps its amounts: it holds no contact data. Answers with the receipt.',
  })
  @ApiCreatedResponse({ type: ErasureResponseDto })
  erase(@CurrentUser() admin: AuthUser, @Body() body: CreateErasureRequestDto): Promise<ErasureResponseDto> {
    return this.privacy.erase(admin, body);
  }

  @Get('erasures/:erasureId')
  @ApiOperation({ summary: 'An erasure receipt' })
  @ApiParam({ name: 'erasureId', format: 'uuid' })
  @ApiOkResponse({ type: ErasureResponseDto })
  @ApiNotFoundResponse({ type: ErrorEnvelopeDto, description: 'NOT_FOUND' })
  erasure(@Param('erasureId', UuidParamPipe) id: string): Promise<ErasureResponseDto> {
    return this.privacy.findErasure(id);
  }
}
