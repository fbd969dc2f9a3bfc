import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export class ListDeliveriesRequestDto {
  @ApiPropertyOptional({
    type: 'integer',
    description: 'Most recent attempts to return',
    minimum: 1,
    maximum: 1000,
    default: 100,
  })
  @IsOptional()
  // Query values are text: a well-formed integer becomes a number, anything else is left for @IsInt to refuse.
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value,
  )
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
