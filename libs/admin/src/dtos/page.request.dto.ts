import { PageRequestDto } from '@app/core';

/** The admin console's lists: 50 a page, at most 200. */
export class AdminPageRequestDto extends PageRequestDto({ defaultSize: 50, maxSize: 200 }) {}
