import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min, ValidateIf } from 'class-validator';

export class OrgSettingsRequestDto {
  @ApiProperty({
    type: 'integer',
    nullable: true,
    minimum: 0,
    maximum: 1e12,
    description:
      'Send a `credits.low` webhook event when available credits drop below this (once per crossing; ' +
      're-armed when they are back at or above it). null turns the alert off. Required: PUT replaces the settings.',
    example: 1000,
  })
  // null is a value (off); a missing field is not, so it fails IsInt.
  @ValidateIf((body: OrgSettingsRequestDto) => body.lowBalanceThreshold !== null)
  @IsInt()
  @Min(0)
  @Max(1e12)
  lowBalanceThreshold: number | null;
}
