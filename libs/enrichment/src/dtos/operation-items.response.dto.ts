import { ApiProperty } from '@nestjs/swagger';
import { PageMetaDto } from '@app/core';
import { EnrichmentStatus } from '../enrichment.types';
import type { OperationItem } from '../read-models/operation-items.read-model';
import { EnrichmentReceiptDto } from './enrichment-with-data.response.dto';

export class OperationItemResponseDto implements OperationItem {
  @ApiProperty({ type: 'integer', description: 'Place in the selection, from 0', example: 0 })
  position: number;

  @ApiProperty({ format: 'uuid' })
  enrichmentId: string;

  @ApiProperty({ format: 'uuid' })
  personId: string;

  @ApiProperty({ enum: EnrichmentStatus })
  status: EnrichmentStatus;

  @ApiProperty({ type: Boolean, nullable: true })
  dataFound: boolean | null;

  @ApiProperty({ description: 'Paid by an earlier request: this operation was not charged for it' })
  reused: boolean;

  @ApiProperty({ type: 'integer', description: 'Credits this operation was charged for the lead', example: 5 })
  charge: number;

  @ApiProperty({ type: String, nullable: true, example: 'sim-email-alpha' })
  provider: string | null;

  @ApiProperty({ type: EnrichmentReceiptDto })
  receipt: EnrichmentReceiptDto;
}

export class OperationItemsPageResponseDto extends PageMetaDto {
  @ApiProperty({ type: [OperationItemResponseDto] })
  content: OperationItemResponseDto[];
}
