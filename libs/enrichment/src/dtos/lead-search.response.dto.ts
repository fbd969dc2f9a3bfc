import { ApiProperty } from '@nestjs/swagger';
import { PageMetaDto } from '@app/core';
import { FoundEmailDto, FoundPhoneDto } from './enrichment-with-data.response.dto';

export class PersonResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Jane' })
  firstName: string;

  @ApiProperty({ example: 'Doe' })
  lastName: string;

  @ApiProperty({ example: 'Jane Doe' })
  fullName: string;

  @ApiProperty({ example: 'Software Engineer' })
  jobTitle: string;

  @ApiProperty({ example: 'senior' })
  seniority: string;

  @ApiProperty({ example: 'Engineering' })
  department: string;

  @ApiProperty({ type: [String], example: ['typescript', 'postgresql'] })
  skills: string[];

  @ApiProperty({ example: 'United States' })
  country: string;

  @ApiProperty({ type: String, nullable: true, example: 'California' })
  state: string | null;

  @ApiProperty({ example: 'San Francisco' })
  city: string;

  @ApiProperty({ example: 'Acme' })
  companyName: string;

  @ApiProperty({ example: 'acme.com' })
  companyDomain: string;

  @ApiProperty({ example: 'Software' })
  companyIndustry: string;

  @ApiProperty({ type: 'integer', example: 250 })
  companyEmployeeSize: number;

  @ApiProperty({ type: String, nullable: true })
  linkedinUrl: string | null;

  @ApiProperty({ type: [FoundEmailDto], description: 'Only what this organisation has enriched' })
  emails: FoundEmailDto[];

  @ApiProperty({ type: [FoundPhoneDto], description: 'Only what this organisation has enriched' })
  phones: FoundPhoneDto[];
}

export class LeadSearchResponseDto extends PageMetaDto {
  @ApiProperty({ type: [PersonResponseDto] })
  content: PersonResponseDto[];
}
