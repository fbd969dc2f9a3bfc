import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** The longest a replaced secret may keep working: one day. */
export const MAX_ROTATION_GRACE_SECONDS = 86_400;

export class RotateApiKeyRequestDto {
  @ApiPropertyOptional({
    description:
      'How long the replaced secret keeps working, so callers can switch without downtime; 0 (the default): it stops at once',
    type: 'integer',
    minimum: 0,
    maximum: MAX_ROTATION_GRACE_SECONDS,
    default: 0,
    example: 3600,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_ROTATION_GRACE_SECONDS)
  graceSeconds?: number;
}
