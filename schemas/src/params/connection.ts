// EVT_CONN_OPEN / EVT_CONN_CLOSE: the remote transport address (pynetdicom `address`), and on a connection
// secured by DICOM TLS its TLS facts (protocol, cipher, peer certificate, whether it verified).

import { Type } from '@sinclair/typebox';
import { SocketAddress } from '../association.js';
import { Strict } from '../common.js';
import { TlsFacts } from './tls.js';

export const ConnectionParams = Strict({ address: SocketAddress, tls: Type.Optional(TlsFacts) });
