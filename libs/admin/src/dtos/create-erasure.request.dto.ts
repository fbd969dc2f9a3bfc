import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';

/** At least one of the three; every lead matching any of them is erased. */
export class CreateErasureRequestDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'A lead id' })
  @IsOptional()
  @IsUUID()
  personId?: string;

  @ApiPropertyOptional({
    description: 'Every lead whose stored data holds this email (any case)',
    example: 'jane.doe@acme.com',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional({
    description: 'Every lead whose stored data holds this phone (international format)',
    example: '+14155550123',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  phone?: string;
}
