-- The auditor console's own tables (services/console), in their own schema: console users with scrypt password
-- hashes and a role (auditor: sees patient identifiers; engineer: the same pages, identifiers masked), cookie
-- sessions (only the sha256 of the session token is stored, with its CSRF token), and failed logins for
-- throttling. The console reads the trail through dicomtrail_reader and writes only here; its reads of the trail
-- are recorded in the trail as EVT_AUDIT_LOG_USED events through the event topic.
CREATE SCHEMA IF NOT EXISTS console;

CREATE TABLE console.users (
  username       text        PRIMARY KEY CHECK (username ~ '^[A-Za-z0-9._@-]{1,64}$'),
  role           text        NOT NULL CHECK (role IN ('auditor', 'engineer')),
  -- scrypt$N$r$p$<salt base64>$<hash base64>
  password_hash  text        NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  disabled_at    timestamptz
);
COMMENT ON TABLE console.users IS 'Console accounts; password_hash is scrypt (node:crypto) with its parameters and salt';

CREATE TABLE console.sessions (
  token_sha256  bytea       PRIMARY KEY,
  username      text        NOT NULL REFERENCES console.users (username) ON DELETE CASCADE,
  csrf_token    text        NOT NULL,
  client_address text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL
);
CREATE INDEX sessions_expires_at ON console.sessions (expires_at);
COMMENT ON TABLE console.sessions IS 'Console sessions by the sha256 of their cookie token (the token itself is never stored)';

CREATE TABLE console.login_failures (
  username        text        NOT NULL,
  client_address  text        NOT NULL,
  failed_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_username ON console.login_failures (username, failed_at);
CREATE INDEX login_failures_address ON console.login_failures (client_address, failed_at);
COMMENT ON TABLE console.login_failures IS 'Failed console logins, counted per username and per address for throttling';

-- The next seq of each console node's EVT_AUDIT_LOG_USED events (0,1,2,... per node, as node-scoped events count).
CREATE TABLE console.event_seq (
  node_id   text   PRIMARY KEY,
  next_seq  bigint NOT NULL
);

-- dicomtrail_console: what the console may do: read the trail (a member of dicomtrail_reader) and keep its own
-- tables. The console sets this role on each connection (CONSOLE_DB_ROLE), whichever login it connects as.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dicomtrail_console') THEN
    CREATE ROLE dicomtrail_console NOLOGIN;
  END IF;
END $$;
GRANT dicomtrail_reader TO dicomtrail_console;
GRANT USAGE ON SCHEMA console TO dicomtrail_console;
GRANT SELECT, INSERT, UPDATE, DELETE ON console.users, console.sessions, console.login_failures, console.event_seq
  TO dicomtrail_console;
