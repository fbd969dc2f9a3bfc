import { ApiProperty } from '@nestjs/swagger';
import { IsEnum, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { SuppressionKind } from '../privacy.types';

export class CreateSuppressionRequestDto {
  @ApiProperty({ enum: SuppressionKind, example: SuppressionKind.EMAIL })
  @IsEnum(SuppressionKind)
  kind: SuppressionKind;

  @ApiProperty({
    description:
      'A lead id (person), an email, a domain (email_domain: every email at it) or a phone in international format; stored normalised',
    example: 'jane.doe@acme.com',
    maxLength: 320,
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(320)
  value: string;

  @ApiProperty({
    description: 'Why (an objection, an erasure request, a complaint)',
    example: 'Art. 21 objection',
    maxLength: 500,
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason: string;
}
