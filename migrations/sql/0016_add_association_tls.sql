-- DICOM TLS (PS3.15 Annex B): the transport facts of an association, from its EVT_CONN_OPEN `tls` member, on its
-- row: protocol version and suite, the peer certificate's subject, issuer and SHA-256 fingerprint, and whether its
-- chain verified. NULL: the connection was plaintext. Certificates are public; no secret is kept.

ALTER TABLE audit.associations
  ADD COLUMN tls_protocol text,
  ADD COLUMN tls_cipher text,
  ADD COLUMN tls_peer_subject text,
  ADD COLUMN tls_peer_issuer text,
  ADD COLUMN tls_peer_sha256 text,
  ADD COLUMN tls_peer_verified boolean;

UPDATE audit.associations a
   SET tls_protocol = e.params #>> '{tls,protocol}',
       tls_cipher = e.params #>> '{tls,cipher}',
       tls_peer_subject = e.params #>> '{tls,peer_certificate,subject}',
       tls_peer_issuer = e.params #>> '{tls,peer_certificate,issuer}',
       tls_peer_sha256 = e.params #>> '{tls,peer_certificate,sha256}',
       tls_peer_verified = (e.params #>> '{tls,peer_verified}')::boolean
  FROM audit.events e
 WHERE e.association_id = a.association_id AND e.type = 'EVT_CONN_OPEN' AND e.params ? 'tls';

-- Connections refused at the TLS layer (EVT_TLS_REFUSED, node events: no association), for the security review.
CREATE VIEW audit.tls_refusals AS
SELECT e.occurred_at, e.node_id,
       e.params #>> '{cause}'                      AS cause,
       e.params #>> '{reason}'                     AS reason,
       e.params #>> '{remote,address}'             AS remote_address,
       (e.params #>> '{remote,port}')::integer     AS remote_port,
       (e.params #>> '{port}')::integer            AS port,
       e.params #>> '{leg}'                        AS leg,
       e.params #>> '{protocol}'                   AS protocol,
       e.params #>> '{peer_certificate,subject}'   AS peer_subject,
       e.params #>> '{peer_certificate,issuer}'    AS peer_issuer,
       e.params #>> '{peer_certificate,sha256}'    AS peer_sha256,
       e.id AS event_id
  FROM audit.events e
 WHERE e.type = 'EVT_TLS_REFUSED';

GRANT SELECT ON audit.tls_refusals TO dicomtrail_reader;
