import { PageRequestDto } from '@app/core';

/** An operation's items: 100 a page, at most 1000 (an invoice reconciles in few pages). */
export class OperationItemsRequestDto extends PageRequestDto({ defaultSize: 100, maxSize: 1000 }) {}
