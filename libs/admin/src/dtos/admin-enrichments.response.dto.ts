import { ApiProperty } from '@nestjs/swagger';
import { PageMetaDto } from '@app/core';
import { EnrichmentResponseDto } from '@app/enrichment';

export class AdminEnrichmentPageResponseDto extends PageMetaDto {
  @ApiProperty({ type: [EnrichmentResponseDto] })
  content: EnrichmentResponseDto[];
}
