import { ApiProperty } from '@nestjs/swagger';

/** Spring-style page metadata, shared by every paged list (the frontend already speaks it). */
export class PageMetaDto {
  @ApiProperty({ type: 'integer', example: 20000 })
  totalElements: number;

  @ApiProperty({ type: 'integer', example: 1000 })
  totalPages: number;

  @ApiProperty({ type: 'integer', description: 'This page, from 0', example: 0 })
  number: number;

  @ApiProperty({ type: 'integer', example: 20 })
  size: number;

  @ApiProperty()
  first: boolean;

  @ApiProperty()
  last: boolean;

  @ApiProperty({ type: 'integer', example: 20 })
  numberOfElements: number;

  @ApiProperty()
  empty: boolean;
}

export function toPage<T>(content: T[], total: number, page: number, size: number): PageMetaDto & { content: T[] } {
  const totalPages = Math.ceil(total / size);
  return {
    content,
    totalElements: total,
    totalPages,
    number: page,
    size,
    first: page === 0,
    last: page >= totalPages - 1,
    numberOfElements: content.length,
    empty: content.length === 0,
  };
}
