import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { PageWindow } from '../database/paged-select';
import { ToInt } from './query-transforms';

/** The highest page number any list accepts: far past any real list, low enough to stay exact. */
export const MAX_PAGE = 1_000_000;

export interface PageRequestOptions {
  /** The page size when none is asked for, as each endpoint documents it. */
  defaultSize: number;
  maxSize: number;
  /**
   * Where the values come from. Query strings are text, converted to integers; a JSON body
   * already has numbers (and a string there stays a 400, as it always was).
   */
  source?: 'query' | 'body';
}

/** `page` (from 0) and `size`, the one way a list is paged (Spring-style, as the responses). */
export interface PageRequest {
  page: number;
  size: number;
}

const noDecorator: PropertyDecorator = () => undefined;

/**
 * The one pagination request DTO: a class with `page` and `size`, validated and documented,
 * with the defaults and bounds of the endpoint that extends it. Every paged list's request
 * DTO extends `PageRequestDto({...})` (adding its filters), and its service reads the SQL
 * window with `pageWindow`.
 */
export function PageRequestDto({ defaultSize, maxSize, source = 'query' }: PageRequestOptions) {
  const convert = source === 'query' ? ToInt() : noDecorator;

  class PageRequestDto implements PageRequest {
    @ApiPropertyOptional({
      type: 'integer',
      description: 'Page number, from 0',
      default: 0,
      minimum: 0,
      maximum: MAX_PAGE,
    })
    @IsOptional()
    @convert
    @IsInt()
    @Min(0)
    @Max(MAX_PAGE)
    page: number = 0;

    @ApiPropertyOptional({ type: 'integer', default: defaultSize, minimum: 1, maximum: maxSize })
    @IsOptional()
    @convert
    @IsInt()
    @Min(1)
    @Max(maxSize)
    size: number = defaultSize;
  }
  return PageRequestDto;
}

/** The rows a page covers. */
export function pageWindow({ page, size }: PageRequest): PageWindow {
  return { offset: page * size, limit: size };
}
