import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyScope, AuthUser, CurrentUser, RequireScopes } from '@app/auth';
import { LeadSearchRequestDto } from '../dtos/lead-search.request.dto';
import { LeadSearchResponseDto } from '../dtos/lead-search.response.dto';
import { LeadSearchService } from '../services/lead-search.service';

@ApiTags('leads')
@RequireScopes(ApiKeyScope.ENRICHMENT_READ)
@Controller('api/v1/leads')
export class LeadSearchController {
  constructor(private readonly leadSearch: LeadSearchService) {}

  @Post('search')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Search leads',
    description:
      'The filter language and the order (last name, first name, id) that bulk enrichment reproduces: ' +
      'bulk mode with startIndex = page × size and targetCount = size selects exactly this page. ' +
      'Each person carries the emails and phones this organisation has enriched.',
  })
  @ApiOkResponse({ type: LeadSearchResponseDto })
  search(@Body() body: LeadSearchRequestDto, @CurrentUser() user: AuthUser): Promise<LeadSearchResponseDto> {
    return this.leadSearch.search(user.orgId, body.filters, body.page, body.size);
  }
}
