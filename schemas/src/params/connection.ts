// EVT_CONN_OPEN / EVT_CONN_CLOSE: the remote transport address (pynetdicom `address`).

import { SocketAddress } from '../association.js';
import { Strict } from '../common.js';

export const ConnectionParams = Strict({ address: SocketAddress });
