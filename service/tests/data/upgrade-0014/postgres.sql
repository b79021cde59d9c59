--
-- PostgreSQL database dump
--

\restrict 1J89pc2RVfmcgn2yAyI4Ig00EIAk9vZ1VquvIxX0akUu5wxUTwMk1apzMJORUD7

-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: _sqlx_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public._sqlx_migrations (
    version bigint NOT NULL,
    description text NOT NULL,
    installed_on timestamp with time zone DEFAULT now() NOT NULL,
    success boolean NOT NULL,
    checksum bytea NOT NULL,
    execution_time bigint NOT NULL
);


--
-- Name: entities; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.entities (
    id text NOT NULL,
    tenant_id text NOT NULL,
    kind text NOT NULL,
    parent_id text,
    body text NOT NULL,
    version bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: idempotency_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.idempotency_keys (
    tenant_id text NOT NULL,
    idempotency_key text NOT NULL,
    operation text NOT NULL,
    fingerprint text NOT NULL,
    fingerprint_version integer NOT NULL,
    entity_id text NOT NULL,
    response_status integer,
    response_body text,
    response_location text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    state text DEFAULT 'active'::text NOT NULL,
    CONSTRAINT idempotency_keys_state_check CHECK ((state = ANY (ARRAY['active'::text, 'expired'::text])))
);


--
-- Name: idempotent_write_audit_log; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.idempotent_write_audit_log (
    id bigint NOT NULL,
    company_id text NOT NULL,
    operation_name text NOT NULL,
    idempotency_key_hash text NOT NULL,
    deterministic_id text NOT NULL,
    status text NOT NULL,
    error_type text,
    error_message text,
    http_status integer NOT NULL,
    workflows_triggered integer DEFAULT 0 NOT NULL,
    duration_ms bigint NOT NULL,
    request_id text NOT NULL,
    "timestamp" timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT idempotent_write_audit_log_status_check1 CHECK ((status = ANY (ARRAY['new'::text, 'replayed'::text, 'rejected'::text, 'mismatch'::text, 'conflict'::text, 'failed'::text])))
)
PARTITION BY RANGE ("timestamp");


--
-- Name: idempotent_write_audit_log_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.idempotent_write_audit_log_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: idempotent_write_audit_log_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.idempotent_write_audit_log_id_seq OWNED BY public.idempotent_write_audit_log.id;


--
-- Name: idempotent_write_audit_log_2026_11; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.idempotent_write_audit_log_2026_11 (
    id bigint DEFAULT nextval('public.idempotent_write_audit_log_id_seq'::regclass) NOT NULL,
    company_id text NOT NULL,
    operation_name text NOT NULL,
    idempotency_key_hash text NOT NULL,
    deterministic_id text NOT NULL,
    status text NOT NULL,
    error_type text,
    error_message text,
    http_status integer NOT NULL,
    workflows_triggered integer DEFAULT 0 NOT NULL,
    duration_ms bigint NOT NULL,
    request_id text NOT NULL,
    "timestamp" timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT idempotent_write_audit_log_status_check1 CHECK ((status = ANY (ARRAY['new'::text, 'replayed'::text, 'rejected'::text, 'mismatch'::text, 'conflict'::text, 'failed'::text])))
);


--
-- Name: idempotent_write_audit_log_2026_12; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.idempotent_write_audit_log_2026_12 (
    id bigint DEFAULT nextval('public.idempotent_write_audit_log_id_seq'::regclass) NOT NULL,
    company_id text NOT NULL,
    operation_name text NOT NULL,
    idempotency_key_hash text NOT NULL,
    deterministic_id text NOT NULL,
    status text NOT NULL,
    error_type text,
    error_message text,
    http_status integer NOT NULL,
    workflows_triggered integer DEFAULT 0 NOT NULL,
    duration_ms bigint NOT NULL,
    request_id text NOT NULL,
    "timestamp" timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT idempotent_write_audit_log_status_check1 CHECK ((status = ANY (ARRAY['new'::text, 'replayed'::text, 'rejected'::text, 'mismatch'::text, 'conflict'::text, 'failed'::text])))
);


--
-- Name: idempotent_write_audit_log_2027_01; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.idempotent_write_audit_log_2027_01 (
    id bigint DEFAULT nextval('public.idempotent_write_audit_log_id_seq'::regclass) NOT NULL,
    company_id text NOT NULL,
    operation_name text NOT NULL,
    idempotency_key_hash text NOT NULL,
    deterministic_id text NOT NULL,
    status text NOT NULL,
    error_type text,
    error_message text,
    http_status integer NOT NULL,
    workflows_triggered integer DEFAULT 0 NOT NULL,
    duration_ms bigint NOT NULL,
    request_id text NOT NULL,
    "timestamp" timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT idempotent_write_audit_log_status_check1 CHECK ((status = ANY (ARRAY['new'::text, 'replayed'::text, 'rejected'::text, 'mismatch'::text, 'conflict'::text, 'failed'::text])))
);


--
-- Name: idempotent_write_audit_log_2027_02; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.idempotent_write_audit_log_2027_02 (
    id bigint DEFAULT nextval('public.idempotent_write_audit_log_id_seq'::regclass) NOT NULL,
    company_id text NOT NULL,
    operation_name text NOT NULL,
    idempotency_key_hash text NOT NULL,
    deterministic_id text NOT NULL,
    status text NOT NULL,
    error_type text,
    error_message text,
    http_status integer NOT NULL,
    workflows_triggered integer DEFAULT 0 NOT NULL,
    duration_ms bigint NOT NULL,
    request_id text NOT NULL,
    "timestamp" timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT idempotent_write_audit_log_status_check1 CHECK ((status = ANY (ARRAY['new'::text, 'replayed'::text, 'rejected'::text, 'mismatch'::text, 'conflict'::text, 'failed'::text])))
);


--
-- Name: idempotent_write_audit_log_2027_03; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.idempotent_write_audit_log_2027_03 (
    id bigint DEFAULT nextval('public.idempotent_write_audit_log_id_seq'::regclass) NOT NULL,
    company_id text NOT NULL,
    operation_name text NOT NULL,
    idempotency_key_hash text NOT NULL,
    deterministic_id text NOT NULL,
    status text NOT NULL,
    error_type text,
    error_message text,
    http_status integer NOT NULL,
    workflows_triggered integer DEFAULT 0 NOT NULL,
    duration_ms bigint NOT NULL,
    request_id text NOT NULL,
    "timestamp" timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT idempotent_write_audit_log_status_check1 CHECK ((status = ANY (ARRAY['new'::text, 'replayed'::text, 'rejected'::text, 'mismatch'::text, 'conflict'::text, 'failed'::text])))
);


--
-- Name: idempotent_write_audit_log_archive; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.idempotent_write_audit_log_archive (
    id bigint DEFAULT nextval('public.idempotent_write_audit_log_id_seq'::regclass) NOT NULL,
    company_id text NOT NULL,
    operation_name text NOT NULL,
    idempotency_key_hash text NOT NULL,
    deterministic_id text NOT NULL,
    status text NOT NULL,
    error_type text,
    error_message text,
    http_status integer NOT NULL,
    workflows_triggered integer DEFAULT 0 NOT NULL,
    duration_ms bigint NOT NULL,
    request_id text NOT NULL,
    "timestamp" timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT idempotent_write_audit_log_status_check1 CHECK ((status = ANY (ARRAY['new'::text, 'replayed'::text, 'rejected'::text, 'mismatch'::text, 'conflict'::text, 'failed'::text])))
);


--
-- Name: idempotent_write_audit_log_default; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.idempotent_write_audit_log_default (
    id bigint DEFAULT nextval('public.idempotent_write_audit_log_id_seq'::regclass) NOT NULL,
    company_id text NOT NULL,
    operation_name text NOT NULL,
    idempotency_key_hash text NOT NULL,
    deterministic_id text NOT NULL,
    status text NOT NULL,
    error_type text,
    error_message text,
    http_status integer NOT NULL,
    workflows_triggered integer DEFAULT 0 NOT NULL,
    duration_ms bigint NOT NULL,
    request_id text NOT NULL,
    "timestamp" timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT idempotent_write_audit_log_status_check1 CHECK ((status = ANY (ARRAY['new'::text, 'replayed'::text, 'rejected'::text, 'mismatch'::text, 'conflict'::text, 'failed'::text])))
);


--
-- Name: named_locks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.named_locks (
    tenant_id text NOT NULL,
    name text NOT NULL
);


--
-- Name: tenants; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tenants (
    id text NOT NULL,
    name text NOT NULL,
    token_hash text NOT NULL,
    revoked boolean DEFAULT false NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: workflow_instances; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.workflow_instances (
    id text NOT NULL,
    tenant_id text NOT NULL,
    workflow_name text NOT NULL,
    trigger_entity_id text NOT NULL,
    operation_name text NOT NULL,
    payload text NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    locked_until timestamp with time zone,
    next_attempt_at timestamp with time zone,
    delivered_at timestamp with time zone,
    last_error text
);


--
-- Name: idempotent_write_audit_log_2026_11; Type: TABLE ATTACH; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotent_write_audit_log ATTACH PARTITION public.idempotent_write_audit_log_2026_11 FOR VALUES FROM ('2026-11-01 00:00:00+00') TO ('2026-12-01 00:00:00+00');


--
-- Name: idempotent_write_audit_log_2026_12; Type: TABLE ATTACH; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotent_write_audit_log ATTACH PARTITION public.idempotent_write_audit_log_2026_12 FOR VALUES FROM ('2026-12-01 00:00:00+00') TO ('2027-01-01 00:00:00+00');


--
-- Name: idempotent_write_audit_log_2027_01; Type: TABLE ATTACH; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotent_write_audit_log ATTACH PARTITION public.idempotent_write_audit_log_2027_01 FOR VALUES FROM ('2027-01-01 00:00:00+00') TO ('2027-02-01 00:00:00+00');


--
-- Name: idempotent_write_audit_log_2027_02; Type: TABLE ATTACH; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotent_write_audit_log ATTACH PARTITION public.idempotent_write_audit_log_2027_02 FOR VALUES FROM ('2027-02-01 00:00:00+00') TO ('2027-03-01 00:00:00+00');


--
-- Name: idempotent_write_audit_log_2027_03; Type: TABLE ATTACH; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotent_write_audit_log ATTACH PARTITION public.idempotent_write_audit_log_2027_03 FOR VALUES FROM ('2027-03-01 00:00:00+00') TO ('2027-04-01 00:00:00+00');


--
-- Name: idempotent_write_audit_log_default; Type: TABLE ATTACH; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotent_write_audit_log ATTACH PARTITION public.idempotent_write_audit_log_default DEFAULT;


--
-- Name: idempotent_write_audit_log id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotent_write_audit_log ALTER COLUMN id SET DEFAULT nextval('public.idempotent_write_audit_log_id_seq'::regclass);


--
-- Data for Name: _sqlx_migrations; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public._sqlx_migrations VALUES (1, 'init', '2026-12-02 21:20:16.200744+00', true, '\x2ec34e9d08f8c566e57a750d45cd4736340e1adf958ccffd0ff95ca18dfc3019db3b8bae4adae04845d430fd3cf45e52', 21918532);
INSERT INTO public._sqlx_migrations VALUES (2, 'named locks', '2026-12-02 21:20:16.223783+00', true, '\xdd9f0153a40c765fc5945ccc34050bb12605160a652fcf496a9ad46fae6e44702b56d84eb90205b27960254a98c73a41', 4486758);
INSERT INTO public._sqlx_migrations VALUES (10, 'audit partitions', '2026-12-02 21:20:16.228836+00', true, '\x3c95da002f65a47307dd1fdae9011e929ae1ef43b9ff61e0dcaa8e3d9b33ae1eba469402d17b82646ec2c773d5f0c804', 54975096);
INSERT INTO public._sqlx_migrations VALUES (11, 'outbox delivery', '2026-12-02 21:20:16.286638+00', true, '\x10f21ec4709065bcfa1847f0be40ef4cc4a61854167a31d3071693a144fc215c742c522af68fdb4e5d4b7eb64cf2d24d', 10928455);
INSERT INTO public._sqlx_migrations VALUES (12, 'field indexes', '2026-12-02 21:20:16.298176+00', true, '\x1d259ce246eeeb00d5691794ae16f09a37d1bccf0011b3a83744a39dae5c96d62669bdaf85c704e8b05d86c50971e097', 8360768);
INSERT INTO public._sqlx_migrations VALUES (13, 'outbox open index', '2026-12-02 21:20:16.308799+00', true, '\x72e22b24b8d1c407816de5782cdf7864fa4a110a1619ad0de0b05cd3564af0b6b4de8dd0ee2d5a16c67577612b666c6d', 7804065);
INSERT INTO public._sqlx_migrations VALUES (14, 'key state', '2026-12-02 21:20:16.318915+00', true, '\x2f9ab5a17ac2710b7d097ac0d6d95d5629a2cad94e0cc643a102ca1afc67f7baec06f31a1b62eef5a63dd98034caae12', 4942788);


--
-- Data for Name: entities; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.entities VALUES ('0d7943b9-c850-5fc0-9d41-e7573a9a682e', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'customer', NULL, '{"created_at":"2026-12-02T21:20:16.517Z","id":"0d7943b9-c850-5fc0-9d41-e7573a9a682e","name":"Acme Corp","object":"customer"}', 1, '2026-12-02 21:20:16.517483+00', '2026-12-02 21:20:16.517483+00');
INSERT INTO public.entities VALUES ('de6099b7-b67a-5580-8b79-054639f71b63', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'vendor', NULL, '{"created_at":"2026-12-02T21:20:16.571Z","id":"de6099b7-b67a-5580-8b79-054639f71b63","name":"Initech Supplies","object":"vendor"}', 1, '2026-12-02 21:20:16.571513+00', '2026-12-02 21:20:16.571513+00');
INSERT INTO public.entities VALUES ('dd858cde-b975-5292-9c8e-40a719b61d15', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'user', NULL, '{"created_at":"2026-12-02T21:20:16.582Z","email":"admin@example.com","id":"dd858cde-b975-5292-9c8e-40a719b61d15","name":"Ada","object":"user","role":"admin"}', 1, '2026-12-02 21:20:16.583059+00', '2026-12-02 21:20:16.583059+00');
INSERT INTO public.entities VALUES ('a6ac44de-1ef0-56a6-bad6-5e555aeb1056', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'account', NULL, '{"code":"1000","created_at":"2026-12-02T21:20:16.618Z","id":"a6ac44de-1ef0-56a6-bad6-5e555aeb1056","name":"Cash","object":"account","type":"asset"}', 1, '2026-12-02 21:20:16.61888+00', '2026-12-02 21:20:16.61888+00');
INSERT INTO public.entities VALUES ('a00b6bc1-7f0b-523a-84ec-ca4a8302365b', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'account', NULL, '{"code":"4000","created_at":"2026-12-02T21:20:16.630Z","id":"a00b6bc1-7f0b-523a-84ec-ca4a8302365b","name":"Sales","object":"account","type":"revenue"}', 1, '2026-12-02 21:20:16.630642+00', '2026-12-02 21:20:16.630642+00');
INSERT INTO public.entities VALUES ('7e402175-8ef3-5256-8849-89021555627d', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'bank_account', NULL, '{"account_number_masked":"****1234","created_at":"2026-12-02T21:20:16.647Z","holder_name":"Acme Ltd","id":"7e402175-8ef3-5256-8849-89021555627d","object":"bank_account","routing_number_masked":"****0025","updated_at":"2026-12-02T21:20:16.667Z"}', 2, '2026-12-02 21:20:16.647855+00', '2026-12-02 21:20:16.668072+00');
INSERT INTO public.entities VALUES ('9be784f4-a406-5a55-8929-ba4ab8ba176c', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'bank_account_update', '7e402175-8ef3-5256-8849-89021555627d', '{"bank_account_id":"7e402175-8ef3-5256-8849-89021555627d","created_at":"2026-12-02T21:20:16.667Z","current":{"account_number_masked":"****1234","holder_name":"Acme Ltd","routing_number_masked":"****0025"},"id":"9be784f4-a406-5a55-8929-ba4ab8ba176c","object":"bank_account_update","previous":{"account_number_masked":"****6789","holder_name":"Acme Ltd","routing_number_masked":"****0015"}}', 1, '2026-12-02 21:20:16.668072+00', '2026-12-02 21:20:16.668072+00');
INSERT INTO public.entities VALUES ('62fa158b-6d4a-5e3c-9f68-e20a6ec589c0', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'ledger_line', 'b97a0fab-2fa2-5023-9ef3-9f47fa725a67', '{"id":"62fa158b-6d4a-5e3c-9f68-e20a6ec589c0","object":"ledger_line","source_id":"b97a0fab-2fa2-5023-9ef3-9f47fa725a67","source_kind":"invoice","line":0,"date":"2026-12-02","account":"accounts_receivable","currency":"USD","debit_cents":32500,"credit_cents":0}', 1, '2026-12-02 21:20:16.687785+00', '2026-12-02 21:20:16.687785+00');
INSERT INTO public.entities VALUES ('18763f48-3432-5dca-a6a4-ec5467578ba7', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'ledger_line', 'b97a0fab-2fa2-5023-9ef3-9f47fa725a67', '{"id":"18763f48-3432-5dca-a6a4-ec5467578ba7","object":"ledger_line","source_id":"b97a0fab-2fa2-5023-9ef3-9f47fa725a67","source_kind":"invoice","line":1,"date":"2026-12-02","account":"revenue","currency":"USD","debit_cents":0,"credit_cents":32500}', 1, '2026-12-02 21:20:16.687785+00', '2026-12-02 21:20:16.687785+00');
INSERT INTO public.entities VALUES ('f9caf480-840c-5eba-9675-08edd8bc9092', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'ledger_line', 'b6db8e74-39dd-5abb-95bc-4139eb1634e4', '{"id":"f9caf480-840c-5eba-9675-08edd8bc9092","object":"ledger_line","source_id":"b6db8e74-39dd-5abb-95bc-4139eb1634e4","source_kind":"invoice","line":0,"date":"2026-12-02","account":"accounts_receivable","currency":"USD","debit_cents":32500,"credit_cents":0}', 1, '2026-12-02 21:20:16.706317+00', '2026-12-02 21:20:16.706317+00');
INSERT INTO public.entities VALUES ('a28e6b4a-1a81-5fa5-8479-cb61618707cb', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'ledger_line', 'b6db8e74-39dd-5abb-95bc-4139eb1634e4', '{"id":"a28e6b4a-1a81-5fa5-8479-cb61618707cb","object":"ledger_line","source_id":"b6db8e74-39dd-5abb-95bc-4139eb1634e4","source_kind":"invoice","line":1,"date":"2026-12-02","account":"revenue","currency":"USD","debit_cents":0,"credit_cents":32500}', 1, '2026-12-02 21:20:16.706317+00', '2026-12-02 21:20:16.706317+00');
INSERT INTO public.entities VALUES ('95885949-d621-5fb4-8231-d135641c3c60', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'ledger_line', 'dc3427af-4f11-5b53-8851-faaef542ef6c', '{"id":"95885949-d621-5fb4-8231-d135641c3c60","object":"ledger_line","source_id":"dc3427af-4f11-5b53-8851-faaef542ef6c","source_kind":"invoice","line":0,"date":"2026-12-02","account":"accounts_receivable","currency":"USD","debit_cents":32500,"credit_cents":0}', 1, '2026-12-02 21:20:16.722276+00', '2026-12-02 21:20:16.722276+00');
INSERT INTO public.entities VALUES ('4d387a2f-c555-5708-9e0e-f1054a4eab42', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'ledger_line', 'dc3427af-4f11-5b53-8851-faaef542ef6c', '{"id":"4d387a2f-c555-5708-9e0e-f1054a4eab42","object":"ledger_line","source_id":"dc3427af-4f11-5b53-8851-faaef542ef6c","source_kind":"invoice","line":1,"date":"2026-12-02","account":"revenue","currency":"USD","debit_cents":0,"credit_cents":32500}', 1, '2026-12-02 21:20:16.722276+00', '2026-12-02 21:20:16.722276+00');
INSERT INTO public.entities VALUES ('cd0f744e-6581-54b7-b75c-882266106ebf', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'invoice', '0d7943b9-c850-5fc0-9d41-e7573a9a682e', '{"amount_paid_cents":0,"created_at":"2026-12-02T21:20:16.733Z","currency":"EUR","customer_id":"0d7943b9-c850-5fc0-9d41-e7573a9a682e","due_date":"2030-06-30","id":"cd0f744e-6581-54b7-b75c-882266106ebf","issue_date":"2026-12-01","lines":[{"amount_cents":0,"description":"Licence","quantity":2,"unit_price_cents":0}],"object":"invoice","status":"open","total_cents":0}', 1, '2026-12-02 21:20:16.733361+00', '2026-12-02 21:20:16.733361+00');
INSERT INTO public.entities VALUES ('b6db8e74-39dd-5abb-95bc-4139eb1634e4', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'invoice', '0d7943b9-c850-5fc0-9d41-e7573a9a682e', '{"amount_paid_cents":1000,"created_at":"2026-12-02T21:20:16.705Z","currency":"USD","customer_id":"0d7943b9-c850-5fc0-9d41-e7573a9a682e","due_date":"2030-12-31","id":"b6db8e74-39dd-5abb-95bc-4139eb1634e4","issue_date":"2026-12-02","lines":[{"amount_cents":30000,"description":"Consulting","quantity":3,"unit_price_cents":10000},{"amount_cents":2500,"description":"Travel","quantity":1,"unit_price_cents":2500}],"object":"invoice","status":"open","total_cents":32500}', 2, '2026-12-02 21:20:16.706317+00', '2026-12-02 21:20:16.760034+00');
INSERT INTO public.entities VALUES ('dc3427af-4f11-5b53-8851-faaef542ef6c', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'invoice', '0d7943b9-c850-5fc0-9d41-e7573a9a682e', '{"amount_paid_cents":0,"created_at":"2026-12-02T21:20:16.722Z","currency":"USD","customer_id":"0d7943b9-c850-5fc0-9d41-e7573a9a682e","due_date":"2030-12-31","id":"dc3427af-4f11-5b53-8851-faaef542ef6c","issue_date":"2026-12-02","lines":[{"amount_cents":30000,"description":"Consulting","quantity":3,"unit_price_cents":10000},{"amount_cents":2500,"description":"Travel","quantity":1,"unit_price_cents":2500}],"object":"invoice","status":"void","total_cents":32500,"voided_at":"2026-12-02T21:20:16.797Z"}', 2, '2026-12-02 21:20:16.722276+00', '2026-12-02 21:20:16.797968+00');
INSERT INTO public.entities VALUES ('1c3fe296-b272-5dc8-9533-e61e34d53d1e', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'user', NULL, '{"created_at":"2026-12-02T21:20:16.602Z","email":"viewer@example.com","id":"1c3fe296-b272-5dc8-9533-e61e34d53d1e","name":"Vic","object":"user","role":"accountant"}', 2, '2026-12-02 21:20:16.603414+00', '2026-12-02 21:20:16.862842+00');
INSERT INTO public.entities VALUES ('de13970c-c384-5809-9aa0-6e4b29a03e27', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'customer', NULL, '{"created_at":"2026-12-02T21:20:16.546Z","deleted_at":"2026-12-02T21:20:16.875Z","id":"de13970c-c384-5809-9aa0-6e4b29a03e27","name":"Gone Ltd","object":"customer"}', 2, '2026-12-02 21:20:16.547036+00', '2026-12-02 21:20:16.875335+00');
INSERT INTO public.entities VALUES ('b97a0fab-2fa2-5023-9ef3-9f47fa725a67', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'invoice', '0d7943b9-c850-5fc0-9d41-e7573a9a682e', '{"amount_paid_cents":32500,"created_at":"2026-12-02T21:20:16.687Z","currency":"USD","customer_id":"0d7943b9-c850-5fc0-9d41-e7573a9a682e","due_date":"2030-12-31","id":"b97a0fab-2fa2-5023-9ef3-9f47fa725a67","issue_date":"2026-12-02","lines":[{"amount_cents":30000,"description":"Consulting","quantity":3,"unit_price_cents":10000},{"amount_cents":2500,"description":"Travel","quantity":1,"unit_price_cents":2500}],"object":"invoice","status":"paid","total_cents":32500}', 2, '2026-12-02 21:20:16.687785+00', '2026-12-02 21:20:16.745641+00');
INSERT INTO public.entities VALUES ('8588ffe2-21b6-5170-aff7-efff164828fc', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'ledger_line', '7bf29469-6f96-5a2c-bfb3-a24aa52357ea', '{"id":"8588ffe2-21b6-5170-aff7-efff164828fc","object":"ledger_line","source_id":"7bf29469-6f96-5a2c-bfb3-a24aa52357ea","source_kind":"payment","line":0,"date":"2026-12-02","account":"cash","currency":"USD","debit_cents":32500,"credit_cents":0}', 1, '2026-12-02 21:20:16.745641+00', '2026-12-02 21:20:16.745641+00');
INSERT INTO public.entities VALUES ('9e019587-fc4d-5453-993c-d35e26497b97', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'ledger_line', '7bf29469-6f96-5a2c-bfb3-a24aa52357ea', '{"id":"9e019587-fc4d-5453-993c-d35e26497b97","object":"ledger_line","source_id":"7bf29469-6f96-5a2c-bfb3-a24aa52357ea","source_kind":"payment","line":1,"date":"2026-12-02","account":"accounts_receivable","currency":"USD","debit_cents":0,"credit_cents":32500}', 1, '2026-12-02 21:20:16.745641+00', '2026-12-02 21:20:16.745641+00');
INSERT INTO public.entities VALUES ('7bf29469-6f96-5a2c-bfb3-a24aa52357ea', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'payment', 'b97a0fab-2fa2-5023-9ef3-9f47fa725a67', '{"amount_cents":32500,"amount_refunded_cents":2500,"created_at":"2026-12-02T21:20:16.745Z","currency":"USD","id":"7bf29469-6f96-5a2c-bfb3-a24aa52357ea","invoice_id":"b97a0fab-2fa2-5023-9ef3-9f47fa725a67","method":"bank_transfer","object":"payment","payment_date":"2026-12-02"}', 2, '2026-12-02 21:20:16.745641+00', '2026-12-02 21:20:16.776338+00');
INSERT INTO public.entities VALUES ('1547fda7-52e9-559b-ab14-df4d7fae0a3f', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'refund', '7bf29469-6f96-5a2c-bfb3-a24aa52357ea', '{"amount_cents":2500,"created_at":"2026-12-02T21:20:16.776Z","currency":"USD","id":"1547fda7-52e9-559b-ab14-df4d7fae0a3f","invoice_id":"b97a0fab-2fa2-5023-9ef3-9f47fa725a67","object":"refund","payment_id":"7bf29469-6f96-5a2c-bfb3-a24aa52357ea","reason":"travel waived","refund_date":"2026-12-02"}', 1, '2026-12-02 21:20:16.776338+00', '2026-12-02 21:20:16.776338+00');
INSERT INTO public.entities VALUES ('84880fcb-e65a-5f71-b33c-e2dc47931fbc', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'ledger_line', '1547fda7-52e9-559b-ab14-df4d7fae0a3f', '{"id":"84880fcb-e65a-5f71-b33c-e2dc47931fbc","object":"ledger_line","source_id":"1547fda7-52e9-559b-ab14-df4d7fae0a3f","source_kind":"refund","line":0,"date":"2026-12-02","account":"sales_refunds","currency":"USD","debit_cents":2500,"credit_cents":0}', 1, '2026-12-02 21:20:16.776338+00', '2026-12-02 21:20:16.776338+00');
INSERT INTO public.entities VALUES ('d4173207-6800-5121-95d6-4c658d299e7d', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'ledger_line', '1547fda7-52e9-559b-ab14-df4d7fae0a3f', '{"id":"d4173207-6800-5121-95d6-4c658d299e7d","object":"ledger_line","source_id":"1547fda7-52e9-559b-ab14-df4d7fae0a3f","source_kind":"refund","line":1,"date":"2026-12-02","account":"cash","currency":"USD","debit_cents":0,"credit_cents":2500}', 1, '2026-12-02 21:20:16.776338+00', '2026-12-02 21:20:16.776338+00');
INSERT INTO public.entities VALUES ('e2966ccc-d231-54a7-900d-7f8fcb986501', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'bill', 'de6099b7-b67a-5580-8b79-054639f71b63', '{"created_at":"2026-12-02T21:20:16.814Z","currency":"USD","due_date":"2030-06-30","id":"e2966ccc-d231-54a7-900d-7f8fcb986501","issue_date":"2026-12-02","lines":[{"amount_cents":2500,"description":"Paper","quantity":10,"unit_price_cents":250}],"object":"bill","status":"pending_approval","total_cents":2500,"vendor_id":"de6099b7-b67a-5580-8b79-054639f71b63"}', 1, '2026-12-02 21:20:16.814475+00', '2026-12-02 21:20:16.814475+00');
INSERT INTO public.entities VALUES ('fa34f736-8a7a-5460-9941-55403a5be4e2', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'ledger_line', 'e2966ccc-d231-54a7-900d-7f8fcb986501', '{"id":"fa34f736-8a7a-5460-9941-55403a5be4e2","object":"ledger_line","source_id":"e2966ccc-d231-54a7-900d-7f8fcb986501","source_kind":"bill","line":0,"date":"2026-12-02","account":"expenses","currency":"USD","debit_cents":2500,"credit_cents":0}', 1, '2026-12-02 21:20:16.814475+00', '2026-12-02 21:20:16.814475+00');
INSERT INTO public.entities VALUES ('63dd2f51-6ccf-5a4a-bb82-2942d207d809', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'ledger_line', 'e2966ccc-d231-54a7-900d-7f8fcb986501', '{"id":"63dd2f51-6ccf-5a4a-bb82-2942d207d809","object":"ledger_line","source_id":"e2966ccc-d231-54a7-900d-7f8fcb986501","source_kind":"bill","line":1,"date":"2026-12-02","account":"accounts_payable","currency":"USD","debit_cents":0,"credit_cents":2500}', 1, '2026-12-02 21:20:16.814475+00', '2026-12-02 21:20:16.814475+00');
INSERT INTO public.entities VALUES ('19462621-6b29-582f-8d90-1a6ff435b7b2', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'payroll_run', NULL, '{"approved_at":"2026-12-02T21:20:16.849Z","created_at":"2026-12-02T21:20:16.839Z","currency":"USD","id":"19462621-6b29-582f-8d90-1a6ff435b7b2","lines":[{"employee_name":"Ada","gross_cents":400000},{"employee_name":"Grace","gross_cents":350000}],"object":"payroll_run","pay_date":"2026-12-28","period":"2026-12","status":"approved","total_cents":750000}', 2, '2026-12-02 21:20:16.839794+00', '2026-12-02 21:20:16.849814+00');
INSERT INTO public.entities VALUES ('d6d9054a-e60a-5f2f-b4a0-1c688fda76ac', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'role_change', '1c3fe296-b272-5dc8-9533-e61e34d53d1e', '{"created_at":"2026-12-02T21:20:16.862Z","id":"d6d9054a-e60a-5f2f-b4a0-1c688fda76ac","object":"role_change","previous_role":"viewer","role":"accountant","user_id":"1c3fe296-b272-5dc8-9533-e61e34d53d1e"}', 1, '2026-12-02 21:20:16.862842+00', '2026-12-02 21:20:16.862842+00');
INSERT INTO public.entities VALUES ('b856c7d8-c975-542a-aad4-38a76bf27b1b', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'period_close', NULL, '{"created_at":"2026-12-02T21:20:16.893Z","id":"b856c7d8-c975-542a-aad4-38a76bf27b1b","note":"year end","object":"period_close","period":"2019-01"}', 1, '2026-12-02 21:20:16.893849+00', '2026-12-02 21:20:16.893849+00');
INSERT INTO public.entities VALUES ('ffcfe704-0ef7-5fa0-9957-bc0f6d7607a9', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'closed_period', 'b856c7d8-c975-542a-aad4-38a76bf27b1b', '{"object":"period","period":"2019-01","status":"closed","closed_at":"2026-12-02T21:20:16.893Z","period_close_id":"b856c7d8-c975-542a-aad4-38a76bf27b1b"}', 1, '2026-12-02 21:20:16.893849+00', '2026-12-02 21:20:16.893849+00');
INSERT INTO public.entities VALUES ('7243af29-2977-5a24-8bd2-411aadf74e53', '620c3100-5224-40eb-a919-1e3e0214babb', 'customer', NULL, '{"created_at":"2026-12-02T21:20:16.918Z","id":"7243af29-2977-5a24-8bd2-411aadf74e53","name":"Acme Corp","object":"customer"}', 1, '2026-12-02 21:20:16.918903+00', '2026-12-02 21:20:16.918903+00');
INSERT INTO public.entities VALUES ('fa73cb86-e9d2-56ff-88a3-188955ac1117', '620c3100-5224-40eb-a919-1e3e0214babb', 'vendor', NULL, '{"created_at":"2026-12-02T21:20:16.935Z","id":"fa73cb86-e9d2-56ff-88a3-188955ac1117","name":"Initech Supplies","object":"vendor"}', 1, '2026-12-02 21:20:16.936129+00', '2026-12-02 21:20:16.936129+00');
INSERT INTO public.entities VALUES ('ec4816cc-1914-521b-a463-a50858746356', '620c3100-5224-40eb-a919-1e3e0214babb', 'user', NULL, '{"created_at":"2026-12-02T21:20:16.952Z","email":"viewer@example.com","id":"ec4816cc-1914-521b-a463-a50858746356","name":"Vic","object":"user","role":"accountant"}', 2, '2026-12-02 21:20:16.953294+00', '2026-12-02 21:20:17.153991+00');
INSERT INTO public.entities VALUES ('19abb097-9b06-574a-9124-83599b4f0b9f', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'payment', 'b6db8e74-39dd-5abb-95bc-4139eb1634e4', '{"amount_cents":1000,"amount_refunded_cents":0,"created_at":"2026-12-02T21:20:16.759Z","currency":"USD","id":"19abb097-9b06-574a-9124-83599b4f0b9f","invoice_id":"b6db8e74-39dd-5abb-95bc-4139eb1634e4","method":"card","object":"payment","payment_date":"2026-12-02"}', 1, '2026-12-02 21:20:16.760034+00', '2026-12-02 21:20:16.760034+00');
INSERT INTO public.entities VALUES ('5f62989d-12d9-57f7-beb3-fd56ce83b045', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'ledger_line', '19abb097-9b06-574a-9124-83599b4f0b9f', '{"id":"5f62989d-12d9-57f7-beb3-fd56ce83b045","object":"ledger_line","source_id":"19abb097-9b06-574a-9124-83599b4f0b9f","source_kind":"payment","line":0,"date":"2026-12-02","account":"cash","currency":"USD","debit_cents":1000,"credit_cents":0}', 1, '2026-12-02 21:20:16.760034+00', '2026-12-02 21:20:16.760034+00');
INSERT INTO public.entities VALUES ('cad535d8-ef57-5703-8109-e1455343cd21', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'ledger_line', '19abb097-9b06-574a-9124-83599b4f0b9f', '{"id":"cad535d8-ef57-5703-8109-e1455343cd21","object":"ledger_line","source_id":"19abb097-9b06-574a-9124-83599b4f0b9f","source_kind":"payment","line":1,"date":"2026-12-02","account":"accounts_receivable","currency":"USD","debit_cents":0,"credit_cents":1000}', 1, '2026-12-02 21:20:16.760034+00', '2026-12-02 21:20:16.760034+00');
INSERT INTO public.entities VALUES ('27378da3-32ec-5dbc-9022-7e6dc06f1635', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'invoice_void', 'dc3427af-4f11-5b53-8851-faaef542ef6c', '{"created_at":"2026-12-02T21:20:16.797Z","currency":"USD","id":"27378da3-32ec-5dbc-9022-7e6dc06f1635","invoice_id":"dc3427af-4f11-5b53-8851-faaef542ef6c","object":"invoice_void","reason":"issued twice","total_cents":32500}', 1, '2026-12-02 21:20:16.797968+00', '2026-12-02 21:20:16.797968+00');
INSERT INTO public.entities VALUES ('532039b6-e05d-58a4-bdc7-b2d3a97103be', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'ledger_line', '27378da3-32ec-5dbc-9022-7e6dc06f1635', '{"id":"532039b6-e05d-58a4-bdc7-b2d3a97103be","object":"ledger_line","source_id":"27378da3-32ec-5dbc-9022-7e6dc06f1635","source_kind":"invoice_void","line":0,"date":"2026-12-02","account":"revenue","currency":"USD","debit_cents":32500,"credit_cents":0}', 1, '2026-12-02 21:20:16.797968+00', '2026-12-02 21:20:16.797968+00');
INSERT INTO public.entities VALUES ('de4d5e03-f3f3-5350-9ec0-4dd5760a2da4', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'ledger_line', '27378da3-32ec-5dbc-9022-7e6dc06f1635', '{"id":"de4d5e03-f3f3-5350-9ec0-4dd5760a2da4","object":"ledger_line","source_id":"27378da3-32ec-5dbc-9022-7e6dc06f1635","source_kind":"invoice_void","line":1,"date":"2026-12-02","account":"accounts_receivable","currency":"USD","debit_cents":0,"credit_cents":32500}', 1, '2026-12-02 21:20:16.797968+00', '2026-12-02 21:20:16.797968+00');
INSERT INTO public.entities VALUES ('a89ea87e-9f10-5df5-b41f-c12ee3df6a54', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'journal_entry', NULL, '{"created_at":"2026-12-02T21:20:16.826Z","entry_date":"2026-12-03","id":"a89ea87e-9f10-5df5-b41f-c12ee3df6a54","lines":[{"account_id":"a6ac44de-1ef0-56a6-bad6-5e555aeb1056","credit_cents":0,"currency":"USD","debit_cents":500,"description":null},{"account_id":"a00b6bc1-7f0b-523a-84ec-ca4a8302365b","credit_cents":500,"currency":"USD","debit_cents":0,"description":null}],"memo":"Cash sale","object":"journal_entry"}', 1, '2026-12-02 21:20:16.826976+00', '2026-12-02 21:20:16.826976+00');
INSERT INTO public.entities VALUES ('495d4b0a-d617-5de0-9ced-1008ccfb2d7d', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'ledger_line', 'a89ea87e-9f10-5df5-b41f-c12ee3df6a54', '{"id":"495d4b0a-d617-5de0-9ced-1008ccfb2d7d","object":"ledger_line","source_id":"a89ea87e-9f10-5df5-b41f-c12ee3df6a54","source_kind":"journal_entry","line":0,"date":"2026-12-03","account":"a6ac44de-1ef0-56a6-bad6-5e555aeb1056","currency":"USD","debit_cents":500,"credit_cents":0}', 1, '2026-12-02 21:20:16.826976+00', '2026-12-02 21:20:16.826976+00');
INSERT INTO public.entities VALUES ('76a13568-bf92-50fb-9a1f-d96d08f3b366', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'ledger_line', 'a89ea87e-9f10-5df5-b41f-c12ee3df6a54', '{"id":"76a13568-bf92-50fb-9a1f-d96d08f3b366","object":"ledger_line","source_id":"a89ea87e-9f10-5df5-b41f-c12ee3df6a54","source_kind":"journal_entry","line":1,"date":"2026-12-03","account":"a00b6bc1-7f0b-523a-84ec-ca4a8302365b","currency":"USD","debit_cents":0,"credit_cents":500}', 1, '2026-12-02 21:20:16.826976+00', '2026-12-02 21:20:16.826976+00');
INSERT INTO public.entities VALUES ('e78196b9-0db9-5b82-acf9-3981d48a40ac', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'payroll_approval', '19462621-6b29-582f-8d90-1a6ff435b7b2', '{"created_at":"2026-12-02T21:20:16.849Z","currency":"USD","id":"e78196b9-0db9-5b82-acf9-3981d48a40ac","note":"checked","object":"payroll_approval","payroll_run_id":"19462621-6b29-582f-8d90-1a6ff435b7b2","total_cents":750000}', 1, '2026-12-02 21:20:16.849814+00', '2026-12-02 21:20:16.849814+00');
INSERT INTO public.entities VALUES ('98dd5d45-c58d-5885-b5c6-8d1d6e5dcdfc', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'customer_deletion', 'de13970c-c384-5809-9aa0-6e4b29a03e27', '{"created_at":"2026-12-02T21:20:16.875Z","customer_id":"de13970c-c384-5809-9aa0-6e4b29a03e27","id":"98dd5d45-c58d-5885-b5c6-8d1d6e5dcdfc","object":"customer_deletion","reason":"closed their business"}', 1, '2026-12-02 21:20:16.875335+00', '2026-12-02 21:20:16.875335+00');
INSERT INTO public.entities VALUES ('438256ec-4787-59d2-af39-605afa1b7408', '620c3100-5224-40eb-a919-1e3e0214babb', 'user', NULL, '{"created_at":"2026-12-02T21:20:16.942Z","email":"admin@example.com","id":"438256ec-4787-59d2-af39-605afa1b7408","name":"Ada","object":"user","role":"admin"}', 1, '2026-12-02 21:20:16.94311+00', '2026-12-02 21:20:16.94311+00');
INSERT INTO public.entities VALUES ('ae1fb7a5-4035-5843-b010-25665220b11f', '620c3100-5224-40eb-a919-1e3e0214babb', 'account', NULL, '{"code":"1000","created_at":"2026-12-02T21:20:16.964Z","id":"ae1fb7a5-4035-5843-b010-25665220b11f","name":"Cash","object":"account","type":"asset"}', 1, '2026-12-02 21:20:16.964233+00', '2026-12-02 21:20:16.964233+00');
INSERT INTO public.entities VALUES ('60d66e59-d948-5c71-befd-22ea28f7fa8e', '620c3100-5224-40eb-a919-1e3e0214babb', 'bank_account', NULL, '{"account_number_masked":"****1234","created_at":"2026-12-02T21:20:16.981Z","holder_name":"Acme Ltd","id":"60d66e59-d948-5c71-befd-22ea28f7fa8e","object":"bank_account","routing_number_masked":"****0025","updated_at":"2026-12-02T21:20:16.989Z"}', 2, '2026-12-02 21:20:16.982147+00', '2026-12-02 21:20:16.98957+00');
INSERT INTO public.entities VALUES ('c06eb8d3-5f1a-50e4-bc76-38adb83892fb', '620c3100-5224-40eb-a919-1e3e0214babb', 'ledger_line', 'cb239ad3-f76f-51bb-ab00-d9e533f6c073', '{"id":"c06eb8d3-5f1a-50e4-bc76-38adb83892fb","object":"ledger_line","source_id":"cb239ad3-f76f-51bb-ab00-d9e533f6c073","source_kind":"invoice","line":0,"date":"2026-12-02","account":"accounts_receivable","currency":"USD","debit_cents":32500,"credit_cents":0}', 1, '2026-12-02 21:20:16.99915+00', '2026-12-02 21:20:16.99915+00');
INSERT INTO public.entities VALUES ('fd7a3147-9cd0-590b-b815-fba060cbe846', '620c3100-5224-40eb-a919-1e3e0214babb', 'ledger_line', 'cb239ad3-f76f-51bb-ab00-d9e533f6c073', '{"id":"fd7a3147-9cd0-590b-b815-fba060cbe846","object":"ledger_line","source_id":"cb239ad3-f76f-51bb-ab00-d9e533f6c073","source_kind":"invoice","line":1,"date":"2026-12-02","account":"revenue","currency":"USD","debit_cents":0,"credit_cents":32500}', 1, '2026-12-02 21:20:16.99915+00', '2026-12-02 21:20:16.99915+00');
INSERT INTO public.entities VALUES ('a76c662e-7b74-5b8f-ac03-c02aae0dbf30', '620c3100-5224-40eb-a919-1e3e0214babb', 'customer', NULL, '{"created_at":"2026-12-02T21:20:16.929Z","deleted_at":"2026-12-02T21:20:17.166Z","id":"a76c662e-7b74-5b8f-ac03-c02aae0dbf30","name":"Gone Ltd","object":"customer"}', 2, '2026-12-02 21:20:16.9293+00', '2026-12-02 21:20:17.166355+00');
INSERT INTO public.entities VALUES ('379b2280-2600-5580-927f-2580d8e66310', '620c3100-5224-40eb-a919-1e3e0214babb', 'account', NULL, '{"code":"4000","created_at":"2026-12-02T21:20:16.972Z","id":"379b2280-2600-5580-927f-2580d8e66310","name":"Sales","object":"account","type":"revenue"}', 1, '2026-12-02 21:20:16.972436+00', '2026-12-02 21:20:16.972436+00');
INSERT INTO public.entities VALUES ('ea80d01e-bbed-54b7-83f1-5ac947f023fc', '620c3100-5224-40eb-a919-1e3e0214babb', 'bank_account_update', '60d66e59-d948-5c71-befd-22ea28f7fa8e', '{"bank_account_id":"60d66e59-d948-5c71-befd-22ea28f7fa8e","created_at":"2026-12-02T21:20:16.989Z","current":{"account_number_masked":"****1234","holder_name":"Acme Ltd","routing_number_masked":"****0025"},"id":"ea80d01e-bbed-54b7-83f1-5ac947f023fc","object":"bank_account_update","previous":{"account_number_masked":"****6789","holder_name":"Acme Ltd","routing_number_masked":"****0015"}}', 1, '2026-12-02 21:20:16.98957+00', '2026-12-02 21:20:16.98957+00');
INSERT INTO public.entities VALUES ('f430053f-2290-5b84-9602-f05ff7ed17b5', '620c3100-5224-40eb-a919-1e3e0214babb', 'ledger_line', 'e3389efc-1e6c-5f7d-926d-303c194aa6d8', '{"id":"f430053f-2290-5b84-9602-f05ff7ed17b5","object":"ledger_line","source_id":"e3389efc-1e6c-5f7d-926d-303c194aa6d8","source_kind":"invoice","line":0,"date":"2026-12-02","account":"accounts_receivable","currency":"USD","debit_cents":32500,"credit_cents":0}', 1, '2026-12-02 21:20:17.008641+00', '2026-12-02 21:20:17.008641+00');
INSERT INTO public.entities VALUES ('4f3a1f14-7d29-521e-9363-22c7bbe16b0b', '620c3100-5224-40eb-a919-1e3e0214babb', 'ledger_line', 'e3389efc-1e6c-5f7d-926d-303c194aa6d8', '{"id":"4f3a1f14-7d29-521e-9363-22c7bbe16b0b","object":"ledger_line","source_id":"e3389efc-1e6c-5f7d-926d-303c194aa6d8","source_kind":"invoice","line":1,"date":"2026-12-02","account":"revenue","currency":"USD","debit_cents":0,"credit_cents":32500}', 1, '2026-12-02 21:20:17.008641+00', '2026-12-02 21:20:17.008641+00');
INSERT INTO public.entities VALUES ('f5b2c5fa-edbd-53a3-a547-67428ae31ed1', '620c3100-5224-40eb-a919-1e3e0214babb', 'invoice', '7243af29-2977-5a24-8bd2-411aadf74e53', '{"amount_paid_cents":0,"created_at":"2026-12-02T21:20:17.028Z","currency":"EUR","customer_id":"7243af29-2977-5a24-8bd2-411aadf74e53","due_date":"2030-06-30","id":"f5b2c5fa-edbd-53a3-a547-67428ae31ed1","issue_date":"2026-12-01","lines":[{"amount_cents":0,"description":"Licence","quantity":2,"unit_price_cents":0}],"object":"invoice","status":"open","total_cents":0}', 1, '2026-12-02 21:20:17.028944+00', '2026-12-02 21:20:17.028944+00');
INSERT INTO public.entities VALUES ('e3389efc-1e6c-5f7d-926d-303c194aa6d8', '620c3100-5224-40eb-a919-1e3e0214babb', 'invoice', '7243af29-2977-5a24-8bd2-411aadf74e53', '{"amount_paid_cents":1000,"created_at":"2026-12-02T21:20:17.008Z","currency":"USD","customer_id":"7243af29-2977-5a24-8bd2-411aadf74e53","due_date":"2030-12-31","id":"e3389efc-1e6c-5f7d-926d-303c194aa6d8","issue_date":"2026-12-02","lines":[{"amount_cents":30000,"description":"Consulting","quantity":3,"unit_price_cents":10000},{"amount_cents":2500,"description":"Travel","quantity":1,"unit_price_cents":2500}],"object":"invoice","status":"open","total_cents":32500}', 2, '2026-12-02 21:20:17.008641+00', '2026-12-02 21:20:17.052608+00');
INSERT INTO public.entities VALUES ('b62ed8bf-4c53-5462-aa2c-62aee084e9ef', '620c3100-5224-40eb-a919-1e3e0214babb', 'payment', 'e3389efc-1e6c-5f7d-926d-303c194aa6d8', '{"amount_cents":1000,"amount_refunded_cents":0,"created_at":"2026-12-02T21:20:17.052Z","currency":"USD","id":"b62ed8bf-4c53-5462-aa2c-62aee084e9ef","invoice_id":"e3389efc-1e6c-5f7d-926d-303c194aa6d8","method":"card","object":"payment","payment_date":"2026-12-02"}', 1, '2026-12-02 21:20:17.052608+00', '2026-12-02 21:20:17.052608+00');
INSERT INTO public.entities VALUES ('4adbb928-41d2-5f38-866e-10a7214c429a', '620c3100-5224-40eb-a919-1e3e0214babb', 'ledger_line', 'b62ed8bf-4c53-5462-aa2c-62aee084e9ef', '{"id":"4adbb928-41d2-5f38-866e-10a7214c429a","object":"ledger_line","source_id":"b62ed8bf-4c53-5462-aa2c-62aee084e9ef","source_kind":"payment","line":0,"date":"2026-12-02","account":"cash","currency":"USD","debit_cents":1000,"credit_cents":0}', 1, '2026-12-02 21:20:17.052608+00', '2026-12-02 21:20:17.052608+00');
INSERT INTO public.entities VALUES ('15778459-0ff0-5f9b-b0bf-3c7e6a8a560e', '620c3100-5224-40eb-a919-1e3e0214babb', 'ledger_line', 'b62ed8bf-4c53-5462-aa2c-62aee084e9ef', '{"id":"15778459-0ff0-5f9b-b0bf-3c7e6a8a560e","object":"ledger_line","source_id":"b62ed8bf-4c53-5462-aa2c-62aee084e9ef","source_kind":"payment","line":1,"date":"2026-12-02","account":"accounts_receivable","currency":"USD","debit_cents":0,"credit_cents":1000}', 1, '2026-12-02 21:20:17.052608+00', '2026-12-02 21:20:17.052608+00');
INSERT INTO public.entities VALUES ('b37f7766-7741-5242-8b4f-e886e3d885bf', '620c3100-5224-40eb-a919-1e3e0214babb', 'invoice_void', 'dce1f89d-33ca-5b66-aa57-8745c5cc2071', '{"created_at":"2026-12-02T21:20:17.091Z","currency":"USD","id":"b37f7766-7741-5242-8b4f-e886e3d885bf","invoice_id":"dce1f89d-33ca-5b66-aa57-8745c5cc2071","object":"invoice_void","reason":"issued twice","total_cents":32500}', 1, '2026-12-02 21:20:17.091974+00', '2026-12-02 21:20:17.091974+00');
INSERT INTO public.entities VALUES ('0c33a3c9-5e12-5170-a0f7-6cc9dc0a5673', '620c3100-5224-40eb-a919-1e3e0214babb', 'ledger_line', 'b37f7766-7741-5242-8b4f-e886e3d885bf', '{"id":"0c33a3c9-5e12-5170-a0f7-6cc9dc0a5673","object":"ledger_line","source_id":"b37f7766-7741-5242-8b4f-e886e3d885bf","source_kind":"invoice_void","line":0,"date":"2026-12-02","account":"revenue","currency":"USD","debit_cents":32500,"credit_cents":0}', 1, '2026-12-02 21:20:17.091974+00', '2026-12-02 21:20:17.091974+00');
INSERT INTO public.entities VALUES ('d9ee0a47-5b62-529f-ac4a-807f1869480e', '620c3100-5224-40eb-a919-1e3e0214babb', 'ledger_line', 'b37f7766-7741-5242-8b4f-e886e3d885bf', '{"id":"d9ee0a47-5b62-529f-ac4a-807f1869480e","object":"ledger_line","source_id":"b37f7766-7741-5242-8b4f-e886e3d885bf","source_kind":"invoice_void","line":1,"date":"2026-12-02","account":"accounts_receivable","currency":"USD","debit_cents":0,"credit_cents":32500}', 1, '2026-12-02 21:20:17.091974+00', '2026-12-02 21:20:17.091974+00');
INSERT INTO public.entities VALUES ('bba1770d-164c-56f8-8387-80bf9c0d9018', '620c3100-5224-40eb-a919-1e3e0214babb', 'journal_entry', NULL, '{"created_at":"2026-12-02T21:20:17.119Z","entry_date":"2026-12-03","id":"bba1770d-164c-56f8-8387-80bf9c0d9018","lines":[{"account_id":"ae1fb7a5-4035-5843-b010-25665220b11f","credit_cents":0,"currency":"USD","debit_cents":500,"description":null},{"account_id":"379b2280-2600-5580-927f-2580d8e66310","credit_cents":500,"currency":"USD","debit_cents":0,"description":null}],"memo":"Cash sale","object":"journal_entry"}', 1, '2026-12-02 21:20:17.119645+00', '2026-12-02 21:20:17.119645+00');
INSERT INTO public.entities VALUES ('9cbc4326-4ad2-59fd-bc53-d1d7231bd74a', '620c3100-5224-40eb-a919-1e3e0214babb', 'ledger_line', 'bba1770d-164c-56f8-8387-80bf9c0d9018', '{"id":"9cbc4326-4ad2-59fd-bc53-d1d7231bd74a","object":"ledger_line","source_id":"bba1770d-164c-56f8-8387-80bf9c0d9018","source_kind":"journal_entry","line":0,"date":"2026-12-03","account":"ae1fb7a5-4035-5843-b010-25665220b11f","currency":"USD","debit_cents":500,"credit_cents":0}', 1, '2026-12-02 21:20:17.119645+00', '2026-12-02 21:20:17.119645+00');
INSERT INTO public.entities VALUES ('3109e748-fea3-5287-90a3-e2ba989e68ea', '620c3100-5224-40eb-a919-1e3e0214babb', 'ledger_line', 'bba1770d-164c-56f8-8387-80bf9c0d9018', '{"id":"3109e748-fea3-5287-90a3-e2ba989e68ea","object":"ledger_line","source_id":"bba1770d-164c-56f8-8387-80bf9c0d9018","source_kind":"journal_entry","line":1,"date":"2026-12-03","account":"379b2280-2600-5580-927f-2580d8e66310","currency":"USD","debit_cents":0,"credit_cents":500}', 1, '2026-12-02 21:20:17.119645+00', '2026-12-02 21:20:17.119645+00');
INSERT INTO public.entities VALUES ('a2592bf8-48c5-50d9-b92a-f8981ede068c', '620c3100-5224-40eb-a919-1e3e0214babb', 'payroll_approval', '01ff8597-5bfe-5a76-8371-fc4139a276b3', '{"created_at":"2026-12-02T21:20:17.143Z","currency":"USD","id":"a2592bf8-48c5-50d9-b92a-f8981ede068c","note":"checked","object":"payroll_approval","payroll_run_id":"01ff8597-5bfe-5a76-8371-fc4139a276b3","total_cents":750000}', 1, '2026-12-02 21:20:17.144122+00', '2026-12-02 21:20:17.144122+00');
INSERT INTO public.entities VALUES ('a5cb4b18-b37a-5fe2-bdcd-2f2092682756', '620c3100-5224-40eb-a919-1e3e0214babb', 'ledger_line', 'dce1f89d-33ca-5b66-aa57-8745c5cc2071', '{"id":"a5cb4b18-b37a-5fe2-bdcd-2f2092682756","object":"ledger_line","source_id":"dce1f89d-33ca-5b66-aa57-8745c5cc2071","source_kind":"invoice","line":0,"date":"2026-12-02","account":"accounts_receivable","currency":"USD","debit_cents":32500,"credit_cents":0}', 1, '2026-12-02 21:20:17.02009+00', '2026-12-02 21:20:17.02009+00');
INSERT INTO public.entities VALUES ('923ffa72-2c8e-5d58-8ffc-3a95d8b67f72', '620c3100-5224-40eb-a919-1e3e0214babb', 'ledger_line', 'dce1f89d-33ca-5b66-aa57-8745c5cc2071', '{"id":"923ffa72-2c8e-5d58-8ffc-3a95d8b67f72","object":"ledger_line","source_id":"dce1f89d-33ca-5b66-aa57-8745c5cc2071","source_kind":"invoice","line":1,"date":"2026-12-02","account":"revenue","currency":"USD","debit_cents":0,"credit_cents":32500}', 1, '2026-12-02 21:20:17.02009+00', '2026-12-02 21:20:17.02009+00');
INSERT INTO public.entities VALUES ('cb239ad3-f76f-51bb-ab00-d9e533f6c073', '620c3100-5224-40eb-a919-1e3e0214babb', 'invoice', '7243af29-2977-5a24-8bd2-411aadf74e53', '{"amount_paid_cents":32500,"created_at":"2026-12-02T21:20:16.998Z","currency":"USD","customer_id":"7243af29-2977-5a24-8bd2-411aadf74e53","due_date":"2030-12-31","id":"cb239ad3-f76f-51bb-ab00-d9e533f6c073","issue_date":"2026-12-02","lines":[{"amount_cents":30000,"description":"Consulting","quantity":3,"unit_price_cents":10000},{"amount_cents":2500,"description":"Travel","quantity":1,"unit_price_cents":2500}],"object":"invoice","status":"paid","total_cents":32500}', 2, '2026-12-02 21:20:16.99915+00', '2026-12-02 21:20:17.038106+00');
INSERT INTO public.entities VALUES ('2e5612af-4cf1-522c-8c0c-f5c3d62e04ee', '620c3100-5224-40eb-a919-1e3e0214babb', 'ledger_line', '9f1fb896-263c-53ec-9c97-447cf7cbdfe6', '{"id":"2e5612af-4cf1-522c-8c0c-f5c3d62e04ee","object":"ledger_line","source_id":"9f1fb896-263c-53ec-9c97-447cf7cbdfe6","source_kind":"payment","line":0,"date":"2026-12-02","account":"cash","currency":"USD","debit_cents":32500,"credit_cents":0}', 1, '2026-12-02 21:20:17.038106+00', '2026-12-02 21:20:17.038106+00');
INSERT INTO public.entities VALUES ('b075ff2b-7d00-5055-93cb-fd085d9c303f', '620c3100-5224-40eb-a919-1e3e0214babb', 'ledger_line', '9f1fb896-263c-53ec-9c97-447cf7cbdfe6', '{"id":"b075ff2b-7d00-5055-93cb-fd085d9c303f","object":"ledger_line","source_id":"9f1fb896-263c-53ec-9c97-447cf7cbdfe6","source_kind":"payment","line":1,"date":"2026-12-02","account":"accounts_receivable","currency":"USD","debit_cents":0,"credit_cents":32500}', 1, '2026-12-02 21:20:17.038106+00', '2026-12-02 21:20:17.038106+00');
INSERT INTO public.entities VALUES ('9f1fb896-263c-53ec-9c97-447cf7cbdfe6', '620c3100-5224-40eb-a919-1e3e0214babb', 'payment', 'cb239ad3-f76f-51bb-ab00-d9e533f6c073', '{"amount_cents":32500,"amount_refunded_cents":2500,"created_at":"2026-12-02T21:20:17.037Z","currency":"USD","id":"9f1fb896-263c-53ec-9c97-447cf7cbdfe6","invoice_id":"cb239ad3-f76f-51bb-ab00-d9e533f6c073","method":"bank_transfer","object":"payment","payment_date":"2026-12-02"}', 2, '2026-12-02 21:20:17.038106+00', '2026-12-02 21:20:17.075236+00');
INSERT INTO public.entities VALUES ('94990875-66e2-539f-ad9a-154ff0f3a1c2', '620c3100-5224-40eb-a919-1e3e0214babb', 'refund', '9f1fb896-263c-53ec-9c97-447cf7cbdfe6', '{"amount_cents":2500,"created_at":"2026-12-02T21:20:17.074Z","currency":"USD","id":"94990875-66e2-539f-ad9a-154ff0f3a1c2","invoice_id":"cb239ad3-f76f-51bb-ab00-d9e533f6c073","object":"refund","payment_id":"9f1fb896-263c-53ec-9c97-447cf7cbdfe6","reason":"travel waived","refund_date":"2026-12-02"}', 1, '2026-12-02 21:20:17.075236+00', '2026-12-02 21:20:17.075236+00');
INSERT INTO public.entities VALUES ('f2df3bc4-af4b-5fcf-b1c0-6dc0cc3688db', '620c3100-5224-40eb-a919-1e3e0214babb', 'ledger_line', '94990875-66e2-539f-ad9a-154ff0f3a1c2', '{"id":"f2df3bc4-af4b-5fcf-b1c0-6dc0cc3688db","object":"ledger_line","source_id":"94990875-66e2-539f-ad9a-154ff0f3a1c2","source_kind":"refund","line":0,"date":"2026-12-02","account":"sales_refunds","currency":"USD","debit_cents":2500,"credit_cents":0}', 1, '2026-12-02 21:20:17.075236+00', '2026-12-02 21:20:17.075236+00');
INSERT INTO public.entities VALUES ('cf9aa957-c1a6-57c9-b8fd-72d4ae78f8a2', '620c3100-5224-40eb-a919-1e3e0214babb', 'ledger_line', '94990875-66e2-539f-ad9a-154ff0f3a1c2', '{"id":"cf9aa957-c1a6-57c9-b8fd-72d4ae78f8a2","object":"ledger_line","source_id":"94990875-66e2-539f-ad9a-154ff0f3a1c2","source_kind":"refund","line":1,"date":"2026-12-02","account":"cash","currency":"USD","debit_cents":0,"credit_cents":2500}', 1, '2026-12-02 21:20:17.075236+00', '2026-12-02 21:20:17.075236+00');
INSERT INTO public.entities VALUES ('dce1f89d-33ca-5b66-aa57-8745c5cc2071', '620c3100-5224-40eb-a919-1e3e0214babb', 'invoice', '7243af29-2977-5a24-8bd2-411aadf74e53', '{"amount_paid_cents":0,"created_at":"2026-12-02T21:20:17.019Z","currency":"USD","customer_id":"7243af29-2977-5a24-8bd2-411aadf74e53","due_date":"2030-12-31","id":"dce1f89d-33ca-5b66-aa57-8745c5cc2071","issue_date":"2026-12-02","lines":[{"amount_cents":30000,"description":"Consulting","quantity":3,"unit_price_cents":10000},{"amount_cents":2500,"description":"Travel","quantity":1,"unit_price_cents":2500}],"object":"invoice","status":"void","total_cents":32500,"voided_at":"2026-12-02T21:20:17.091Z"}', 2, '2026-12-02 21:20:17.02009+00', '2026-12-02 21:20:17.091974+00');
INSERT INTO public.entities VALUES ('771d1b9f-ed2e-5f0e-a816-a2a5694f3a7f', '620c3100-5224-40eb-a919-1e3e0214babb', 'bill', 'fa73cb86-e9d2-56ff-88a3-188955ac1117', '{"created_at":"2026-12-02T21:20:17.105Z","currency":"USD","due_date":"2030-06-30","id":"771d1b9f-ed2e-5f0e-a816-a2a5694f3a7f","issue_date":"2026-12-02","lines":[{"amount_cents":2500,"description":"Paper","quantity":10,"unit_price_cents":250}],"object":"bill","status":"pending_approval","total_cents":2500,"vendor_id":"fa73cb86-e9d2-56ff-88a3-188955ac1117"}', 1, '2026-12-02 21:20:17.106154+00', '2026-12-02 21:20:17.106154+00');
INSERT INTO public.entities VALUES ('1adef875-079e-52b1-94b3-01c2a21adae3', '620c3100-5224-40eb-a919-1e3e0214babb', 'ledger_line', '771d1b9f-ed2e-5f0e-a816-a2a5694f3a7f', '{"id":"1adef875-079e-52b1-94b3-01c2a21adae3","object":"ledger_line","source_id":"771d1b9f-ed2e-5f0e-a816-a2a5694f3a7f","source_kind":"bill","line":0,"date":"2026-12-02","account":"expenses","currency":"USD","debit_cents":2500,"credit_cents":0}', 1, '2026-12-02 21:20:17.106154+00', '2026-12-02 21:20:17.106154+00');
INSERT INTO public.entities VALUES ('5f6d006b-66c0-5e59-ac3d-1f3f791524b4', '620c3100-5224-40eb-a919-1e3e0214babb', 'ledger_line', '771d1b9f-ed2e-5f0e-a816-a2a5694f3a7f', '{"id":"5f6d006b-66c0-5e59-ac3d-1f3f791524b4","object":"ledger_line","source_id":"771d1b9f-ed2e-5f0e-a816-a2a5694f3a7f","source_kind":"bill","line":1,"date":"2026-12-02","account":"accounts_payable","currency":"USD","debit_cents":0,"credit_cents":2500}', 1, '2026-12-02 21:20:17.106154+00', '2026-12-02 21:20:17.106154+00');
INSERT INTO public.entities VALUES ('01ff8597-5bfe-5a76-8371-fc4139a276b3', '620c3100-5224-40eb-a919-1e3e0214babb', 'payroll_run', NULL, '{"approved_at":"2026-12-02T21:20:17.143Z","created_at":"2026-12-02T21:20:17.132Z","currency":"USD","id":"01ff8597-5bfe-5a76-8371-fc4139a276b3","lines":[{"employee_name":"Ada","gross_cents":400000},{"employee_name":"Grace","gross_cents":350000}],"object":"payroll_run","pay_date":"2026-12-28","period":"2026-12","status":"approved","total_cents":750000}', 2, '2026-12-02 21:20:17.132345+00', '2026-12-02 21:20:17.144122+00');
INSERT INTO public.entities VALUES ('10c528fc-2e60-5af9-82e5-4829ef793950', '620c3100-5224-40eb-a919-1e3e0214babb', 'role_change', 'ec4816cc-1914-521b-a463-a50858746356', '{"created_at":"2026-12-02T21:20:17.153Z","id":"10c528fc-2e60-5af9-82e5-4829ef793950","object":"role_change","previous_role":"viewer","role":"accountant","user_id":"ec4816cc-1914-521b-a463-a50858746356"}', 1, '2026-12-02 21:20:17.153991+00', '2026-12-02 21:20:17.153991+00');
INSERT INTO public.entities VALUES ('53efcfb1-aaed-5435-8e43-9a214399bce3', '620c3100-5224-40eb-a919-1e3e0214babb', 'period_close', NULL, '{"created_at":"2026-12-02T21:20:17.175Z","id":"53efcfb1-aaed-5435-8e43-9a214399bce3","note":"year end","object":"period_close","period":"2019-01"}', 1, '2026-12-02 21:20:17.175866+00', '2026-12-02 21:20:17.175866+00');
INSERT INTO public.entities VALUES ('cc1192e8-0556-5008-a9a8-98ad01da5e44', '620c3100-5224-40eb-a919-1e3e0214babb', 'customer_deletion', 'a76c662e-7b74-5b8f-ac03-c02aae0dbf30', '{"created_at":"2026-12-02T21:20:17.166Z","customer_id":"a76c662e-7b74-5b8f-ac03-c02aae0dbf30","id":"cc1192e8-0556-5008-a9a8-98ad01da5e44","object":"customer_deletion","reason":"closed their business"}', 1, '2026-12-02 21:20:17.166355+00', '2026-12-02 21:20:17.166355+00');
INSERT INTO public.entities VALUES ('d4934ecd-553b-5b04-ad13-7d39227bd049', '620c3100-5224-40eb-a919-1e3e0214babb', 'closed_period', '53efcfb1-aaed-5435-8e43-9a214399bce3', '{"object":"period","period":"2019-01","status":"closed","closed_at":"2026-12-02T21:20:17.175Z","period_close_id":"53efcfb1-aaed-5435-8e43-9a214399bce3"}', 1, '2026-12-02 21:20:17.175866+00', '2026-12-02 21:20:17.175866+00');


--
-- Data for Name: idempotency_keys; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.idempotency_keys VALUES ('14926d03-0979-4326-9a3c-a24c227c9a5d', 'upgrade-242734fe09bd', 'create_customer', 'e3e2e6bf481d2fc2125e8dfbe229bf22f897687c79f1263392b3cf3f38c63bfa', 1, '0d7943b9-c850-5fc0-9d41-e7573a9a682e', 201, '{"created_at":"2026-12-02T21:20:16.517Z","id":"0d7943b9-c850-5fc0-9d41-e7573a9a682e","name":"Acme Corp","object":"customer"}', '/v1/customers/0d7943b9-c850-5fc0-9d41-e7573a9a682e', '2026-12-02 21:20:16.517483+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('14926d03-0979-4326-9a3c-a24c227c9a5d', 'upgrade-a0b93f445a69', 'create_customer', '56f451e34fe27564afaf5b67ee1af1861ec1a3f4ad913d54b3b03a8932e12832', 1, 'de13970c-c384-5809-9aa0-6e4b29a03e27', 201, '{"created_at":"2026-12-02T21:20:16.546Z","id":"de13970c-c384-5809-9aa0-6e4b29a03e27","name":"Gone Ltd","object":"customer"}', '/v1/customers/de13970c-c384-5809-9aa0-6e4b29a03e27', '2026-12-02 21:20:16.547036+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('14926d03-0979-4326-9a3c-a24c227c9a5d', 'upgrade-883e33c09851', 'create_vendor', '9d4a38eca9fcf5d04e84aa714be963f1d04e8205daf97740e05e89f842a16293', 1, 'de6099b7-b67a-5580-8b79-054639f71b63', 201, '{"created_at":"2026-12-02T21:20:16.571Z","id":"de6099b7-b67a-5580-8b79-054639f71b63","name":"Initech Supplies","object":"vendor"}', '/v1/vendors/de6099b7-b67a-5580-8b79-054639f71b63', '2026-12-02 21:20:16.571513+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('14926d03-0979-4326-9a3c-a24c227c9a5d', 'upgrade-d1fc90cd6a82', 'create_user', 'efe1b693affca77c68d7e4f1f157c8f09cba00e64f5940d4c912bb1e16c928ff', 1, 'dd858cde-b975-5292-9c8e-40a719b61d15', 201, '{"created_at":"2026-12-02T21:20:16.582Z","email":"admin@example.com","id":"dd858cde-b975-5292-9c8e-40a719b61d15","name":"Ada","object":"user","role":"admin"}', '/v1/users/dd858cde-b975-5292-9c8e-40a719b61d15', '2026-12-02 21:20:16.583059+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('14926d03-0979-4326-9a3c-a24c227c9a5d', 'upgrade-c2f587244c94', 'create_user', 'cfb0c2a6aa242fdc3f5781a4291aeee29130141c0a1acf835868713e375e0013', 1, '1c3fe296-b272-5dc8-9533-e61e34d53d1e', 201, '{"created_at":"2026-12-02T21:20:16.602Z","email":"viewer@example.com","id":"1c3fe296-b272-5dc8-9533-e61e34d53d1e","name":"Vic","object":"user","role":"viewer"}', '/v1/users/1c3fe296-b272-5dc8-9533-e61e34d53d1e', '2026-12-02 21:20:16.603414+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('14926d03-0979-4326-9a3c-a24c227c9a5d', 'upgrade-b0b66efbbd62', 'create_account', 'eee9cb2febe8202e817e500141403cefca47fa886ee216c290bcaebb1c5a3226', 1, 'a6ac44de-1ef0-56a6-bad6-5e555aeb1056', 201, '{"code":"1000","created_at":"2026-12-02T21:20:16.618Z","id":"a6ac44de-1ef0-56a6-bad6-5e555aeb1056","name":"Cash","object":"account","type":"asset"}', '/v1/accounts/a6ac44de-1ef0-56a6-bad6-5e555aeb1056', '2026-12-02 21:20:16.61888+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('14926d03-0979-4326-9a3c-a24c227c9a5d', 'upgrade-6eb7dd306048', 'create_account', 'afc7151a42ec48b05af6f59cd50277f6f2815b3f80b161d22ba4f85a5faf7ab7', 1, 'a00b6bc1-7f0b-523a-84ec-ca4a8302365b', 201, '{"code":"4000","created_at":"2026-12-02T21:20:16.630Z","id":"a00b6bc1-7f0b-523a-84ec-ca4a8302365b","name":"Sales","object":"account","type":"revenue"}', '/v1/accounts/a00b6bc1-7f0b-523a-84ec-ca4a8302365b', '2026-12-02 21:20:16.630642+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('14926d03-0979-4326-9a3c-a24c227c9a5d', 'upgrade-9e2efff244f4', 'create_bank_account', '14f54ce84e7d57229d479022023f284f5715ac6dd0c8543c97c42249574a2898', 1, '7e402175-8ef3-5256-8849-89021555627d', 201, '{"account_number_masked":"****6789","created_at":"2026-12-02T21:20:16.647Z","holder_name":"Acme Ltd","id":"7e402175-8ef3-5256-8849-89021555627d","object":"bank_account","routing_number_masked":"****0015"}', '/v1/bank-accounts/7e402175-8ef3-5256-8849-89021555627d', '2026-12-02 21:20:16.647855+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('14926d03-0979-4326-9a3c-a24c227c9a5d', 'upgrade-b5d089a3e2f4', 'update_bank_account', 'a0a629c8f313e5638a14bccd794a83c62257df75744249862f8274eeebfeb9ad', 1, '9be784f4-a406-5a55-8929-ba4ab8ba176c', 201, '{"bank_account_id":"7e402175-8ef3-5256-8849-89021555627d","created_at":"2026-12-02T21:20:16.667Z","current":{"account_number_masked":"****1234","holder_name":"Acme Ltd","routing_number_masked":"****0025"},"id":"9be784f4-a406-5a55-8929-ba4ab8ba176c","object":"bank_account_update","previous":{"account_number_masked":"****6789","holder_name":"Acme Ltd","routing_number_masked":"****0015"}}', '/v1/bank-account-updates/9be784f4-a406-5a55-8929-ba4ab8ba176c', '2026-12-02 21:20:16.668072+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('14926d03-0979-4326-9a3c-a24c227c9a5d', 'upgrade-06a5586f57df', 'create_invoice', '95502af3f9c911c468aa2d83ca83cde52da6e52ef4a4426cc8ca35954a02fda9', 1, 'b97a0fab-2fa2-5023-9ef3-9f47fa725a67', 201, '{"amount_paid_cents":0,"created_at":"2026-12-02T21:20:16.687Z","currency":"USD","customer_id":"0d7943b9-c850-5fc0-9d41-e7573a9a682e","due_date":"2030-12-31","id":"b97a0fab-2fa2-5023-9ef3-9f47fa725a67","issue_date":"2026-12-02","lines":[{"amount_cents":30000,"description":"Consulting","quantity":3,"unit_price_cents":10000},{"amount_cents":2500,"description":"Travel","quantity":1,"unit_price_cents":2500}],"object":"invoice","status":"open","total_cents":32500}', '/v1/invoices/b97a0fab-2fa2-5023-9ef3-9f47fa725a67', '2026-12-02 21:20:16.687785+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('14926d03-0979-4326-9a3c-a24c227c9a5d', 'upgrade-6383e2565af0', 'create_invoice', '95502af3f9c911c468aa2d83ca83cde52da6e52ef4a4426cc8ca35954a02fda9', 1, 'b6db8e74-39dd-5abb-95bc-4139eb1634e4', 201, '{"amount_paid_cents":0,"created_at":"2026-12-02T21:20:16.705Z","currency":"USD","customer_id":"0d7943b9-c850-5fc0-9d41-e7573a9a682e","due_date":"2030-12-31","id":"b6db8e74-39dd-5abb-95bc-4139eb1634e4","issue_date":"2026-12-02","lines":[{"amount_cents":30000,"description":"Consulting","quantity":3,"unit_price_cents":10000},{"amount_cents":2500,"description":"Travel","quantity":1,"unit_price_cents":2500}],"object":"invoice","status":"open","total_cents":32500}', '/v1/invoices/b6db8e74-39dd-5abb-95bc-4139eb1634e4', '2026-12-02 21:20:16.706317+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('14926d03-0979-4326-9a3c-a24c227c9a5d', 'upgrade-44839dbc5f40', 'create_invoice', '95502af3f9c911c468aa2d83ca83cde52da6e52ef4a4426cc8ca35954a02fda9', 1, 'dc3427af-4f11-5b53-8851-faaef542ef6c', 201, '{"amount_paid_cents":0,"created_at":"2026-12-02T21:20:16.722Z","currency":"USD","customer_id":"0d7943b9-c850-5fc0-9d41-e7573a9a682e","due_date":"2030-12-31","id":"dc3427af-4f11-5b53-8851-faaef542ef6c","issue_date":"2026-12-02","lines":[{"amount_cents":30000,"description":"Consulting","quantity":3,"unit_price_cents":10000},{"amount_cents":2500,"description":"Travel","quantity":1,"unit_price_cents":2500}],"object":"invoice","status":"open","total_cents":32500}', '/v1/invoices/dc3427af-4f11-5b53-8851-faaef542ef6c', '2026-12-02 21:20:16.722276+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('14926d03-0979-4326-9a3c-a24c227c9a5d', 'upgrade-fc3822bbaa61', 'create_invoice', '9050ab0b5cdfb0875393ae775adf55761a98c17845d665e625355814ed595b1c', 1, 'cd0f744e-6581-54b7-b75c-882266106ebf', 201, '{"amount_paid_cents":0,"created_at":"2026-12-02T21:20:16.733Z","currency":"EUR","customer_id":"0d7943b9-c850-5fc0-9d41-e7573a9a682e","due_date":"2030-06-30","id":"cd0f744e-6581-54b7-b75c-882266106ebf","issue_date":"2026-12-01","lines":[{"amount_cents":0,"description":"Licence","quantity":2,"unit_price_cents":0}],"object":"invoice","status":"open","total_cents":0}', '/v1/invoices/cd0f744e-6581-54b7-b75c-882266106ebf', '2026-12-02 21:20:16.733361+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('14926d03-0979-4326-9a3c-a24c227c9a5d', 'upgrade-59f1096311ca', 'record_payment', '1acff6e5cacda5aa158eabee496e54101feee581733ff785720eadbb97f0ef37', 1, '7bf29469-6f96-5a2c-bfb3-a24aa52357ea', 201, '{"amount_cents":32500,"amount_refunded_cents":0,"created_at":"2026-12-02T21:20:16.745Z","currency":"USD","id":"7bf29469-6f96-5a2c-bfb3-a24aa52357ea","invoice_id":"b97a0fab-2fa2-5023-9ef3-9f47fa725a67","method":"bank_transfer","object":"payment","payment_date":"2026-12-02"}', '/v1/payments/7bf29469-6f96-5a2c-bfb3-a24aa52357ea', '2026-12-02 21:20:16.745641+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('14926d03-0979-4326-9a3c-a24c227c9a5d', 'upgrade-7bb465e18ad4', 'record_payment', '52542ac5ff7ba9e2f0dab50fc06bea9e050844d9652e6d8a9022b33b4a64608c', 1, '19abb097-9b06-574a-9124-83599b4f0b9f', 201, '{"amount_cents":1000,"amount_refunded_cents":0,"created_at":"2026-12-02T21:20:16.759Z","currency":"USD","id":"19abb097-9b06-574a-9124-83599b4f0b9f","invoice_id":"b6db8e74-39dd-5abb-95bc-4139eb1634e4","method":"card","object":"payment","payment_date":"2026-12-02"}', '/v1/payments/19abb097-9b06-574a-9124-83599b4f0b9f', '2026-12-02 21:20:16.760034+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('14926d03-0979-4326-9a3c-a24c227c9a5d', 'upgrade-63accea82886', 'void_invoice', '1d2366a7fac46cbca08a0cbc6628a0df7ed2d6437fb42e7f076984bf5c284eae', 1, '27378da3-32ec-5dbc-9022-7e6dc06f1635', 201, '{"created_at":"2026-12-02T21:20:16.797Z","currency":"USD","id":"27378da3-32ec-5dbc-9022-7e6dc06f1635","invoice_id":"dc3427af-4f11-5b53-8851-faaef542ef6c","object":"invoice_void","reason":"issued twice","total_cents":32500}', '/v1/invoice-voids/27378da3-32ec-5dbc-9022-7e6dc06f1635', '2026-12-02 21:20:16.797968+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('14926d03-0979-4326-9a3c-a24c227c9a5d', 'upgrade-19241d9318db', 'post_journal_entry', 'cf306cf1daedbb9625a9c6cd72a623367ef887831daa2191c880ccc64346fb10', 1, 'a89ea87e-9f10-5df5-b41f-c12ee3df6a54', 201, '{"created_at":"2026-12-02T21:20:16.826Z","entry_date":"2026-12-03","id":"a89ea87e-9f10-5df5-b41f-c12ee3df6a54","lines":[{"account_id":"a6ac44de-1ef0-56a6-bad6-5e555aeb1056","credit_cents":0,"currency":"USD","debit_cents":500,"description":null},{"account_id":"a00b6bc1-7f0b-523a-84ec-ca4a8302365b","credit_cents":500,"currency":"USD","debit_cents":0,"description":null}],"memo":"Cash sale","object":"journal_entry"}', '/v1/journal-entries/a89ea87e-9f10-5df5-b41f-c12ee3df6a54', '2026-12-02 21:20:16.826976+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('14926d03-0979-4326-9a3c-a24c227c9a5d', 'upgrade-cfd3327a69f7', 'approve_payroll_run', '674127d98ecaac3b18b55e3440988db6e4d6d779ec6a07cb775ab7317e3bf81f', 1, 'e78196b9-0db9-5b82-acf9-3981d48a40ac', 201, '{"created_at":"2026-12-02T21:20:16.849Z","currency":"USD","id":"e78196b9-0db9-5b82-acf9-3981d48a40ac","note":"checked","object":"payroll_approval","payroll_run_id":"19462621-6b29-582f-8d90-1a6ff435b7b2","total_cents":750000}', '/v1/payroll-approvals/e78196b9-0db9-5b82-acf9-3981d48a40ac', '2026-12-02 21:20:16.849814+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('14926d03-0979-4326-9a3c-a24c227c9a5d', 'upgrade-50b03a3b0a7d', 'delete_customer', 'ef6c744cad3a3bcfb9285a4154a3db8a0954b7939c5409689925060090b259ce', 1, '98dd5d45-c58d-5885-b5c6-8d1d6e5dcdfc', 201, '{"created_at":"2026-12-02T21:20:16.875Z","customer_id":"de13970c-c384-5809-9aa0-6e4b29a03e27","id":"98dd5d45-c58d-5885-b5c6-8d1d6e5dcdfc","object":"customer_deletion","reason":"closed their business"}', '/v1/customer-deletions/98dd5d45-c58d-5885-b5c6-8d1d6e5dcdfc', '2026-12-02 21:20:16.875335+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('14926d03-0979-4326-9a3c-a24c227c9a5d', 'upgrade-70d13cbd7b30', 'record_payment', 'eeb0dfc8bb1afc67785eab4aeb14b7bef7de0f83525bc90d4c3de849b18e60d5', 1, '445b5aef-c509-5287-97fc-c41469553d20', 422, '{"code":"invoice_not_payable","detail":"invoice is paid","status":422,"title":"Unprocessable Content","type":"urn:accubooks:problem:invoice_not_payable"}', NULL, '2026-12-02 21:20:16.904424+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('620c3100-5224-40eb-a919-1e3e0214babb', 'upgrade-94d66b39a132', 'create_customer', '56f451e34fe27564afaf5b67ee1af1861ec1a3f4ad913d54b3b03a8932e12832', 1, 'a76c662e-7b74-5b8f-ac03-c02aae0dbf30', 201, '{"created_at":"2026-12-02T21:20:16.929Z","id":"a76c662e-7b74-5b8f-ac03-c02aae0dbf30","name":"Gone Ltd","object":"customer"}', '/v1/customers/a76c662e-7b74-5b8f-ac03-c02aae0dbf30', '2026-12-02 21:20:16.9293+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('620c3100-5224-40eb-a919-1e3e0214babb', 'upgrade-840dcb0ff402', 'create_user', 'efe1b693affca77c68d7e4f1f157c8f09cba00e64f5940d4c912bb1e16c928ff', 1, '438256ec-4787-59d2-af39-605afa1b7408', 201, '{"created_at":"2026-12-02T21:20:16.942Z","email":"admin@example.com","id":"438256ec-4787-59d2-af39-605afa1b7408","name":"Ada","object":"user","role":"admin"}', '/v1/users/438256ec-4787-59d2-af39-605afa1b7408', '2026-12-02 21:20:16.94311+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('620c3100-5224-40eb-a919-1e3e0214babb', 'upgrade-f77aee0a9f04', 'create_account', 'eee9cb2febe8202e817e500141403cefca47fa886ee216c290bcaebb1c5a3226', 1, 'ae1fb7a5-4035-5843-b010-25665220b11f', 201, '{"code":"1000","created_at":"2026-12-02T21:20:16.964Z","id":"ae1fb7a5-4035-5843-b010-25665220b11f","name":"Cash","object":"account","type":"asset"}', '/v1/accounts/ae1fb7a5-4035-5843-b010-25665220b11f', '2026-12-02 21:20:16.964233+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('620c3100-5224-40eb-a919-1e3e0214babb', 'upgrade-e4340ac76fac', 'create_bank_account', '14f54ce84e7d57229d479022023f284f5715ac6dd0c8543c97c42249574a2898', 1, '60d66e59-d948-5c71-befd-22ea28f7fa8e', 201, '{"account_number_masked":"****6789","created_at":"2026-12-02T21:20:16.981Z","holder_name":"Acme Ltd","id":"60d66e59-d948-5c71-befd-22ea28f7fa8e","object":"bank_account","routing_number_masked":"****0015"}', '/v1/bank-accounts/60d66e59-d948-5c71-befd-22ea28f7fa8e', '2026-12-02 21:20:16.982147+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('620c3100-5224-40eb-a919-1e3e0214babb', 'upgrade-403a276b45e8', 'create_invoice', '7a799c3de381bbcd8ea7c8c6913456b593d1941d3424147f4d350d15e33e8be3', 1, 'cb239ad3-f76f-51bb-ab00-d9e533f6c073', 201, '{"amount_paid_cents":0,"created_at":"2026-12-02T21:20:16.998Z","currency":"USD","customer_id":"7243af29-2977-5a24-8bd2-411aadf74e53","due_date":"2030-12-31","id":"cb239ad3-f76f-51bb-ab00-d9e533f6c073","issue_date":"2026-12-02","lines":[{"amount_cents":30000,"description":"Consulting","quantity":3,"unit_price_cents":10000},{"amount_cents":2500,"description":"Travel","quantity":1,"unit_price_cents":2500}],"object":"invoice","status":"open","total_cents":32500}', '/v1/invoices/cb239ad3-f76f-51bb-ab00-d9e533f6c073', '2026-12-02 21:20:16.99915+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('620c3100-5224-40eb-a919-1e3e0214babb', 'upgrade-63874580d56e', 'create_invoice', '7a799c3de381bbcd8ea7c8c6913456b593d1941d3424147f4d350d15e33e8be3', 1, 'dce1f89d-33ca-5b66-aa57-8745c5cc2071', 201, '{"amount_paid_cents":0,"created_at":"2026-12-02T21:20:17.019Z","currency":"USD","customer_id":"7243af29-2977-5a24-8bd2-411aadf74e53","due_date":"2030-12-31","id":"dce1f89d-33ca-5b66-aa57-8745c5cc2071","issue_date":"2026-12-02","lines":[{"amount_cents":30000,"description":"Consulting","quantity":3,"unit_price_cents":10000},{"amount_cents":2500,"description":"Travel","quantity":1,"unit_price_cents":2500}],"object":"invoice","status":"open","total_cents":32500}', '/v1/invoices/dce1f89d-33ca-5b66-aa57-8745c5cc2071', '2026-12-02 21:20:17.02009+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('620c3100-5224-40eb-a919-1e3e0214babb', 'upgrade-b382af4f140e', 'record_payment', '1538b97c293a469316193401217f2fff420d226d8e8af0ddfadf22faabcc0d77', 1, '9f1fb896-263c-53ec-9c97-447cf7cbdfe6', 201, '{"amount_cents":32500,"amount_refunded_cents":0,"created_at":"2026-12-02T21:20:17.037Z","currency":"USD","id":"9f1fb896-263c-53ec-9c97-447cf7cbdfe6","invoice_id":"cb239ad3-f76f-51bb-ab00-d9e533f6c073","method":"bank_transfer","object":"payment","payment_date":"2026-12-02"}', '/v1/payments/9f1fb896-263c-53ec-9c97-447cf7cbdfe6', '2026-12-02 21:20:17.038106+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('620c3100-5224-40eb-a919-1e3e0214babb', 'upgrade-b6de526fff62', 'issue_refund', '3f841cb1b21fe88b9e9bdbe1a593f7f6a6c510c7673b47d3b333276bf955e43a', 1, '94990875-66e2-539f-ad9a-154ff0f3a1c2', 201, '{"amount_cents":2500,"created_at":"2026-12-02T21:20:17.074Z","currency":"USD","id":"94990875-66e2-539f-ad9a-154ff0f3a1c2","invoice_id":"cb239ad3-f76f-51bb-ab00-d9e533f6c073","object":"refund","payment_id":"9f1fb896-263c-53ec-9c97-447cf7cbdfe6","reason":"travel waived","refund_date":"2026-12-02"}', '/v1/refunds/94990875-66e2-539f-ad9a-154ff0f3a1c2', '2026-12-02 21:20:17.075236+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('14926d03-0979-4326-9a3c-a24c227c9a5d', 'upgrade-9d392ba4ac01', 'issue_refund', 'd2acfe64d7e0d10db9fb1e4b61608e04379a8fcef825e6210c26ad9a59473863', 1, '1547fda7-52e9-559b-ab14-df4d7fae0a3f', 201, '{"amount_cents":2500,"created_at":"2026-12-02T21:20:16.776Z","currency":"USD","id":"1547fda7-52e9-559b-ab14-df4d7fae0a3f","invoice_id":"b97a0fab-2fa2-5023-9ef3-9f47fa725a67","object":"refund","payment_id":"7bf29469-6f96-5a2c-bfb3-a24aa52357ea","reason":"travel waived","refund_date":"2026-12-02"}', '/v1/refunds/1547fda7-52e9-559b-ab14-df4d7fae0a3f', '2026-12-02 21:20:16.776338+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('14926d03-0979-4326-9a3c-a24c227c9a5d', 'upgrade-339c653617a1', 'create_bill', 'b0fcbe8fe18cb3242e7df23a15ce9006f9c8768e919579627ad364f69173735a', 1, 'e2966ccc-d231-54a7-900d-7f8fcb986501', 201, '{"created_at":"2026-12-02T21:20:16.814Z","currency":"USD","due_date":"2030-06-30","id":"e2966ccc-d231-54a7-900d-7f8fcb986501","issue_date":"2026-12-02","lines":[{"amount_cents":2500,"description":"Paper","quantity":10,"unit_price_cents":250}],"object":"bill","status":"pending_approval","total_cents":2500,"vendor_id":"de6099b7-b67a-5580-8b79-054639f71b63"}', '/v1/bills/e2966ccc-d231-54a7-900d-7f8fcb986501', '2026-12-02 21:20:16.814475+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('14926d03-0979-4326-9a3c-a24c227c9a5d', 'upgrade-cad40c4a3f11', 'create_payroll_run', '49b3c7898c1f6a707e6d30fabc80e6ba214eacfaca7e96715f8527f44e95acbd', 1, '19462621-6b29-582f-8d90-1a6ff435b7b2', 201, '{"created_at":"2026-12-02T21:20:16.839Z","currency":"USD","id":"19462621-6b29-582f-8d90-1a6ff435b7b2","lines":[{"employee_name":"Ada","gross_cents":400000},{"employee_name":"Grace","gross_cents":350000}],"object":"payroll_run","pay_date":"2026-12-28","period":"2026-12","status":"draft","total_cents":750000}', '/v1/payroll-runs/19462621-6b29-582f-8d90-1a6ff435b7b2', '2026-12-02 21:20:16.839794+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('14926d03-0979-4326-9a3c-a24c227c9a5d', 'upgrade-493aa5aa7454', 'change_user_role', '20c0c2b1bb3ee5ddd206a7f1faab90aa140c0fddf8a2ebc7572fc0d2b37daf0b', 1, 'd6d9054a-e60a-5f2f-b4a0-1c688fda76ac', 201, '{"created_at":"2026-12-02T21:20:16.862Z","id":"d6d9054a-e60a-5f2f-b4a0-1c688fda76ac","object":"role_change","previous_role":"viewer","role":"accountant","user_id":"1c3fe296-b272-5dc8-9533-e61e34d53d1e"}', '/v1/role-changes/d6d9054a-e60a-5f2f-b4a0-1c688fda76ac', '2026-12-02 21:20:16.862842+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('14926d03-0979-4326-9a3c-a24c227c9a5d', 'upgrade-190ddf43fba4', 'close_period', '0b25eb7c6fc7af51fea06944be5904ee910fd73c2c385d7c94c1c0f0c4ff0135', 1, 'b856c7d8-c975-542a-aad4-38a76bf27b1b', 201, '{"created_at":"2026-12-02T21:20:16.893Z","id":"b856c7d8-c975-542a-aad4-38a76bf27b1b","note":"year end","object":"period_close","period":"2019-01"}', '/v1/period-closes/b856c7d8-c975-542a-aad4-38a76bf27b1b', '2026-12-02 21:20:16.893849+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('620c3100-5224-40eb-a919-1e3e0214babb', 'upgrade-174749446a6e', 'create_customer', 'e3e2e6bf481d2fc2125e8dfbe229bf22f897687c79f1263392b3cf3f38c63bfa', 1, '7243af29-2977-5a24-8bd2-411aadf74e53', 201, '{"created_at":"2026-12-02T21:20:16.918Z","id":"7243af29-2977-5a24-8bd2-411aadf74e53","name":"Acme Corp","object":"customer"}', '/v1/customers/7243af29-2977-5a24-8bd2-411aadf74e53', '2026-12-02 21:20:16.918903+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('620c3100-5224-40eb-a919-1e3e0214babb', 'upgrade-3deec13b857b', 'create_vendor', '9d4a38eca9fcf5d04e84aa714be963f1d04e8205daf97740e05e89f842a16293', 1, 'fa73cb86-e9d2-56ff-88a3-188955ac1117', 201, '{"created_at":"2026-12-02T21:20:16.935Z","id":"fa73cb86-e9d2-56ff-88a3-188955ac1117","name":"Initech Supplies","object":"vendor"}', '/v1/vendors/fa73cb86-e9d2-56ff-88a3-188955ac1117', '2026-12-02 21:20:16.936129+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('620c3100-5224-40eb-a919-1e3e0214babb', 'upgrade-54df8c437b6e', 'create_user', 'cfb0c2a6aa242fdc3f5781a4291aeee29130141c0a1acf835868713e375e0013', 1, 'ec4816cc-1914-521b-a463-a50858746356', 201, '{"created_at":"2026-12-02T21:20:16.952Z","email":"viewer@example.com","id":"ec4816cc-1914-521b-a463-a50858746356","name":"Vic","object":"user","role":"viewer"}', '/v1/users/ec4816cc-1914-521b-a463-a50858746356', '2026-12-02 21:20:16.953294+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('620c3100-5224-40eb-a919-1e3e0214babb', 'upgrade-ebd15b262871', 'create_account', 'afc7151a42ec48b05af6f59cd50277f6f2815b3f80b161d22ba4f85a5faf7ab7', 1, '379b2280-2600-5580-927f-2580d8e66310', 201, '{"code":"4000","created_at":"2026-12-02T21:20:16.972Z","id":"379b2280-2600-5580-927f-2580d8e66310","name":"Sales","object":"account","type":"revenue"}', '/v1/accounts/379b2280-2600-5580-927f-2580d8e66310', '2026-12-02 21:20:16.972436+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('620c3100-5224-40eb-a919-1e3e0214babb', 'upgrade-9777b6568547', 'update_bank_account', 'c3f18bf023b6f205320f12438cf761852dbcaefcab5ec5d044b3f478f0bbaaf3', 1, 'ea80d01e-bbed-54b7-83f1-5ac947f023fc', 201, '{"bank_account_id":"60d66e59-d948-5c71-befd-22ea28f7fa8e","created_at":"2026-12-02T21:20:16.989Z","current":{"account_number_masked":"****1234","holder_name":"Acme Ltd","routing_number_masked":"****0025"},"id":"ea80d01e-bbed-54b7-83f1-5ac947f023fc","object":"bank_account_update","previous":{"account_number_masked":"****6789","holder_name":"Acme Ltd","routing_number_masked":"****0015"}}', '/v1/bank-account-updates/ea80d01e-bbed-54b7-83f1-5ac947f023fc', '2026-12-02 21:20:16.98957+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('620c3100-5224-40eb-a919-1e3e0214babb', 'upgrade-37598cb9d1ef', 'create_invoice', '7a799c3de381bbcd8ea7c8c6913456b593d1941d3424147f4d350d15e33e8be3', 1, 'e3389efc-1e6c-5f7d-926d-303c194aa6d8', 201, '{"amount_paid_cents":0,"created_at":"2026-12-02T21:20:17.008Z","currency":"USD","customer_id":"7243af29-2977-5a24-8bd2-411aadf74e53","due_date":"2030-12-31","id":"e3389efc-1e6c-5f7d-926d-303c194aa6d8","issue_date":"2026-12-02","lines":[{"amount_cents":30000,"description":"Consulting","quantity":3,"unit_price_cents":10000},{"amount_cents":2500,"description":"Travel","quantity":1,"unit_price_cents":2500}],"object":"invoice","status":"open","total_cents":32500}', '/v1/invoices/e3389efc-1e6c-5f7d-926d-303c194aa6d8', '2026-12-02 21:20:17.008641+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('620c3100-5224-40eb-a919-1e3e0214babb', 'upgrade-e280fd7770db', 'create_invoice', '9cd01179bdd038498f04de2ee5c0e5a2fdf2957860a01d20278743b61edfec10', 1, 'f5b2c5fa-edbd-53a3-a547-67428ae31ed1', 201, '{"amount_paid_cents":0,"created_at":"2026-12-02T21:20:17.028Z","currency":"EUR","customer_id":"7243af29-2977-5a24-8bd2-411aadf74e53","due_date":"2030-06-30","id":"f5b2c5fa-edbd-53a3-a547-67428ae31ed1","issue_date":"2026-12-01","lines":[{"amount_cents":0,"description":"Licence","quantity":2,"unit_price_cents":0}],"object":"invoice","status":"open","total_cents":0}', '/v1/invoices/f5b2c5fa-edbd-53a3-a547-67428ae31ed1', '2026-12-02 21:20:17.028944+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('620c3100-5224-40eb-a919-1e3e0214babb', 'upgrade-c70ae93c59d6', 'record_payment', 'd6d69d631e6ac80827441b25ee58a384565d5b2cd999d6167be55d86418061e9', 1, 'b62ed8bf-4c53-5462-aa2c-62aee084e9ef', 201, '{"amount_cents":1000,"amount_refunded_cents":0,"created_at":"2026-12-02T21:20:17.052Z","currency":"USD","id":"b62ed8bf-4c53-5462-aa2c-62aee084e9ef","invoice_id":"e3389efc-1e6c-5f7d-926d-303c194aa6d8","method":"card","object":"payment","payment_date":"2026-12-02"}', '/v1/payments/b62ed8bf-4c53-5462-aa2c-62aee084e9ef', '2026-12-02 21:20:17.052608+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('620c3100-5224-40eb-a919-1e3e0214babb', 'upgrade-cd4e14555e25', 'void_invoice', '40f6a6f67fee023f3f7440ea228680b14d7d8ad3fff690378b1eeb770b19e93b', 1, 'b37f7766-7741-5242-8b4f-e886e3d885bf', 201, '{"created_at":"2026-12-02T21:20:17.091Z","currency":"USD","id":"b37f7766-7741-5242-8b4f-e886e3d885bf","invoice_id":"dce1f89d-33ca-5b66-aa57-8745c5cc2071","object":"invoice_void","reason":"issued twice","total_cents":32500}', '/v1/invoice-voids/b37f7766-7741-5242-8b4f-e886e3d885bf', '2026-12-02 21:20:17.091974+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('620c3100-5224-40eb-a919-1e3e0214babb', 'upgrade-f3b65dbfec03', 'create_bill', '8927541082de95dc529ff696cb53892ad011aabff46f63948c1a177528d77771', 1, '771d1b9f-ed2e-5f0e-a816-a2a5694f3a7f', 201, '{"created_at":"2026-12-02T21:20:17.105Z","currency":"USD","due_date":"2030-06-30","id":"771d1b9f-ed2e-5f0e-a816-a2a5694f3a7f","issue_date":"2026-12-02","lines":[{"amount_cents":2500,"description":"Paper","quantity":10,"unit_price_cents":250}],"object":"bill","status":"pending_approval","total_cents":2500,"vendor_id":"fa73cb86-e9d2-56ff-88a3-188955ac1117"}', '/v1/bills/771d1b9f-ed2e-5f0e-a816-a2a5694f3a7f', '2026-12-02 21:20:17.106154+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('620c3100-5224-40eb-a919-1e3e0214babb', 'upgrade-1feb8f125819', 'create_payroll_run', '49b3c7898c1f6a707e6d30fabc80e6ba214eacfaca7e96715f8527f44e95acbd', 1, '01ff8597-5bfe-5a76-8371-fc4139a276b3', 201, '{"created_at":"2026-12-02T21:20:17.132Z","currency":"USD","id":"01ff8597-5bfe-5a76-8371-fc4139a276b3","lines":[{"employee_name":"Ada","gross_cents":400000},{"employee_name":"Grace","gross_cents":350000}],"object":"payroll_run","pay_date":"2026-12-28","period":"2026-12","status":"draft","total_cents":750000}', '/v1/payroll-runs/01ff8597-5bfe-5a76-8371-fc4139a276b3', '2026-12-02 21:20:17.132345+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('620c3100-5224-40eb-a919-1e3e0214babb', 'upgrade-d62670895f52', 'change_user_role', 'b08565fe957c2248af4f7fc7c9b8427e7cecf12cbc8c974e2ad62985e4ac6ccf', 1, '10c528fc-2e60-5af9-82e5-4829ef793950', 201, '{"created_at":"2026-12-02T21:20:17.153Z","id":"10c528fc-2e60-5af9-82e5-4829ef793950","object":"role_change","previous_role":"viewer","role":"accountant","user_id":"ec4816cc-1914-521b-a463-a50858746356"}', '/v1/role-changes/10c528fc-2e60-5af9-82e5-4829ef793950', '2026-12-02 21:20:17.153991+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('620c3100-5224-40eb-a919-1e3e0214babb', 'upgrade-3794548d117c', 'close_period', '0b25eb7c6fc7af51fea06944be5904ee910fd73c2c385d7c94c1c0f0c4ff0135', 1, '53efcfb1-aaed-5435-8e43-9a214399bce3', 201, '{"created_at":"2026-12-02T21:20:17.175Z","id":"53efcfb1-aaed-5435-8e43-9a214399bce3","note":"year end","object":"period_close","period":"2019-01"}', '/v1/period-closes/53efcfb1-aaed-5435-8e43-9a214399bce3', '2026-12-02 21:20:17.175866+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('620c3100-5224-40eb-a919-1e3e0214babb', 'upgrade-07d2ed2a087b', 'post_journal_entry', '4cab59eb79b72538ad7bc202109a69be845eb2c19fbfa06b81924def3f7cc64c', 1, 'bba1770d-164c-56f8-8387-80bf9c0d9018', 201, '{"created_at":"2026-12-02T21:20:17.119Z","entry_date":"2026-12-03","id":"bba1770d-164c-56f8-8387-80bf9c0d9018","lines":[{"account_id":"ae1fb7a5-4035-5843-b010-25665220b11f","credit_cents":0,"currency":"USD","debit_cents":500,"description":null},{"account_id":"379b2280-2600-5580-927f-2580d8e66310","credit_cents":500,"currency":"USD","debit_cents":0,"description":null}],"memo":"Cash sale","object":"journal_entry"}', '/v1/journal-entries/bba1770d-164c-56f8-8387-80bf9c0d9018', '2026-12-02 21:20:17.119645+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('620c3100-5224-40eb-a919-1e3e0214babb', 'upgrade-da291cb310d6', 'approve_payroll_run', '1a3726443439dc3029b4444ffc9aead53f3e16f71c0651a83229ded6ae7f467a', 1, 'a2592bf8-48c5-50d9-b92a-f8981ede068c', 201, '{"created_at":"2026-12-02T21:20:17.143Z","currency":"USD","id":"a2592bf8-48c5-50d9-b92a-f8981ede068c","note":"checked","object":"payroll_approval","payroll_run_id":"01ff8597-5bfe-5a76-8371-fc4139a276b3","total_cents":750000}', '/v1/payroll-approvals/a2592bf8-48c5-50d9-b92a-f8981ede068c', '2026-12-02 21:20:17.144122+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('620c3100-5224-40eb-a919-1e3e0214babb', 'upgrade-46163e1ed95b', 'delete_customer', '524c20cbc8391b5bea457ff2593de162edbf7d26caf085ab53c739d6bc7d05ba', 1, 'cc1192e8-0556-5008-a9a8-98ad01da5e44', 201, '{"created_at":"2026-12-02T21:20:17.166Z","customer_id":"a76c662e-7b74-5b8f-ac03-c02aae0dbf30","id":"cc1192e8-0556-5008-a9a8-98ad01da5e44","object":"customer_deletion","reason":"closed their business"}', '/v1/customer-deletions/cc1192e8-0556-5008-a9a8-98ad01da5e44', '2026-12-02 21:20:17.166355+00', 'active');
INSERT INTO public.idempotency_keys VALUES ('620c3100-5224-40eb-a919-1e3e0214babb', 'upgrade-43c83ab820db', 'record_payment', 'a08cce9e9e9d6e3f56a6e72f42c8822e48c872deccce57b2ae2523d0fff932fa', 1, '5fbe7902-c8ee-50c9-895a-179b207fff83', 422, '{"code":"invoice_not_payable","detail":"invoice is paid","status":422,"title":"Unprocessable Content","type":"urn:accubooks:problem:invoice_not_payable"}', NULL, '2026-12-02 21:20:17.184089+00', 'active');


--
-- Data for Name: idempotent_write_audit_log_2026_11; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: idempotent_write_audit_log_2026_12; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (1, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'create_customer', '65dc8e212b41bdc516f7d6dd6a02e316e215db77d49cb171ee61fe38d4100950', '0d7943b9-c850-5fc0-9d41-e7573a9a682e', 'new', NULL, NULL, 201, 0, 3, '62412112-7c8d-45c0-8307-2ff063ae5a37', '2026-12-02 21:20:16.517483+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (2, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'create_customer', '65dc8e212b41bdc516f7d6dd6a02e316e215db77d49cb171ee61fe38d4100950', '0d7943b9-c850-5fc0-9d41-e7573a9a682e', 'replayed', NULL, NULL, 201, 0, 0, 'cec48f8f-b725-4554-9e94-45be6bc75911', '2026-12-02 21:20:16.535799+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (3, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'create_customer', 'df0abe73e40b686b0f4289bac6b294f35df949de3707e8f3685ea43cad28cee9', 'de13970c-c384-5809-9aa0-6e4b29a03e27', 'new', NULL, NULL, 201, 0, 4, '8a778f40-5462-4119-9f50-19fa8802f5ac', '2026-12-02 21:20:16.547036+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (4, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'create_customer', 'df0abe73e40b686b0f4289bac6b294f35df949de3707e8f3685ea43cad28cee9', 'de13970c-c384-5809-9aa0-6e4b29a03e27', 'replayed', NULL, NULL, 201, 0, 0, '30445b51-e6ea-4483-bd19-4b03c6a25882', '2026-12-02 21:20:16.564807+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (5, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'create_vendor', 'bd0d8c67d547b9b2b44a69f93a6702f08e763d0a6a410429948e4887e7523657', 'de6099b7-b67a-5580-8b79-054639f71b63', 'new', NULL, NULL, 201, 0, 1, '48b6f010-dde4-469e-b572-9c5bd9d8be49', '2026-12-02 21:20:16.571513+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (6, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'create_vendor', 'bd0d8c67d547b9b2b44a69f93a6702f08e763d0a6a410429948e4887e7523657', 'de6099b7-b67a-5580-8b79-054639f71b63', 'replayed', NULL, NULL, 201, 0, 0, 'bf56b4fa-6a2d-4854-baba-9e6533f5269c', '2026-12-02 21:20:16.579208+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (7, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'create_user', '369fa199b4f375ea139c7a26640ec0d9c1dae86a23dbf2046d2e24091e67cdca', 'dd858cde-b975-5292-9c8e-40a719b61d15', 'new', NULL, NULL, 201, 0, 5, 'c84eacec-0259-4ddf-a6ac-f56cf00c4bff', '2026-12-02 21:20:16.583059+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (8, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'create_user', '369fa199b4f375ea139c7a26640ec0d9c1dae86a23dbf2046d2e24091e67cdca', 'dd858cde-b975-5292-9c8e-40a719b61d15', 'replayed', NULL, NULL, 201, 0, 0, '32e9d1ae-766a-4b2b-a87b-7585c4480500', '2026-12-02 21:20:16.597889+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (9, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'create_user', '9e069ba3c0998a70781a1f9b866ebcb3d4cd03850ae5ce17a8cb32f616eefc34', '1c3fe296-b272-5dc8-9533-e61e34d53d1e', 'new', NULL, NULL, 201, 0, 4, 'fa95282b-8619-48e4-8a3c-f69d09226079', '2026-12-02 21:20:16.603414+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (10, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'create_user', '9e069ba3c0998a70781a1f9b866ebcb3d4cd03850ae5ce17a8cb32f616eefc34', '1c3fe296-b272-5dc8-9533-e61e34d53d1e', 'replayed', NULL, NULL, 201, 0, 0, 'e9c5209f-918b-41e7-8cac-48f719b66865', '2026-12-02 21:20:16.613472+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (11, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'create_account', 'ceb987e4f33be8eeb5250b0438ac4c78086eabba9f69a88d85e0d01cad78b3e9', 'a6ac44de-1ef0-56a6-bad6-5e555aeb1056', 'new', NULL, NULL, 201, 0, 2, '16661d35-b167-4026-bf14-78449396276d', '2026-12-02 21:20:16.61888+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (12, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'create_account', 'ceb987e4f33be8eeb5250b0438ac4c78086eabba9f69a88d85e0d01cad78b3e9', 'a6ac44de-1ef0-56a6-bad6-5e555aeb1056', 'replayed', NULL, NULL, 201, 0, 0, '5e7f3f7c-f05e-4580-b9a3-c2f9841184de', '2026-12-02 21:20:16.626765+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (13, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'create_account', '5a421ba7fcdb752d2f2c8dd98b827b088cc24f77e1c89983233684b9ccad364d', 'a00b6bc1-7f0b-523a-84ec-ca4a8302365b', 'new', NULL, NULL, 201, 0, 3, '9c6319ec-a0ab-4a30-868c-c9e8c5d5bb21', '2026-12-02 21:20:16.630642+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (14, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'create_account', '5a421ba7fcdb752d2f2c8dd98b827b088cc24f77e1c89983233684b9ccad364d', 'a00b6bc1-7f0b-523a-84ec-ca4a8302365b', 'replayed', NULL, NULL, 201, 0, 0, '738b8b33-6e36-4d18-bdc8-b97ed6059dcc', '2026-12-02 21:20:16.640959+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (15, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'create_bank_account', '37d4576a22787561d74dd1955e2062ea638ef7870e69169585a8cb787650b74b', '7e402175-8ef3-5256-8849-89021555627d', 'new', NULL, NULL, 201, 0, 1, '62b16f78-d5e2-444a-98b8-496343d3b945', '2026-12-02 21:20:16.647855+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (16, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'create_bank_account', '37d4576a22787561d74dd1955e2062ea638ef7870e69169585a8cb787650b74b', '7e402175-8ef3-5256-8849-89021555627d', 'replayed', NULL, NULL, 201, 0, 0, 'a7c1b56a-c93d-4857-8e63-139b3a7ae4b4', '2026-12-02 21:20:16.658399+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (17, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'update_bank_account', 'fcb74b53364f3f040a289c3348b451e0cd85946ccb649b7135d83366791e0009', '9be784f4-a406-5a55-8929-ba4ab8ba176c', 'new', NULL, NULL, 201, 1, 3, 'f87b8bf7-fc34-4d31-8d63-da36f803bcb3', '2026-12-02 21:20:16.668072+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (18, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'update_bank_account', 'fcb74b53364f3f040a289c3348b451e0cd85946ccb649b7135d83366791e0009', '9be784f4-a406-5a55-8929-ba4ab8ba176c', 'replayed', NULL, NULL, 201, 0, 0, 'c3d9cd41-8b26-44c0-b97b-acf53a4ba563', '2026-12-02 21:20:16.683939+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (19, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'create_invoice', 'c7f67ecbb716377c7fdafc0e7d4b0c4108f5f7e619ec27fb0a3cf88350552267', 'b97a0fab-2fa2-5023-9ef3-9f47fa725a67', 'new', NULL, NULL, 201, 1, 3, 'a5f1bd85-b7d8-4d45-9b1f-13e0f37594ee', '2026-12-02 21:20:16.687785+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (20, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'create_invoice', 'c7f67ecbb716377c7fdafc0e7d4b0c4108f5f7e619ec27fb0a3cf88350552267', 'b97a0fab-2fa2-5023-9ef3-9f47fa725a67', 'replayed', NULL, NULL, 201, 0, 0, '0ce39044-5aac-439c-ba21-e977b773046c', '2026-12-02 21:20:16.699592+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (21, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'create_invoice', '4e30abb3d60070c6d1009ae74510d0f157b4871c0b91aad0555ff093ed676ec4', 'b6db8e74-39dd-5abb-95bc-4139eb1634e4', 'new', NULL, NULL, 201, 1, 6, 'b3b9e689-e36a-45ec-b1e2-776d383b7752', '2026-12-02 21:20:16.706317+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (22, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'create_invoice', '4e30abb3d60070c6d1009ae74510d0f157b4871c0b91aad0555ff093ed676ec4', 'b6db8e74-39dd-5abb-95bc-4139eb1634e4', 'replayed', NULL, NULL, 201, 0, 0, 'd8ffc5de-337c-438b-8331-edb61586a2f9', '2026-12-02 21:20:16.717928+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (23, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'create_invoice', '1fcb8d1b200d199f4ca66c7da075d59536850fbab5c1c6927fa1dec2bb28dea5', 'dc3427af-4f11-5b53-8851-faaef542ef6c', 'new', NULL, NULL, 201, 1, 2, '0e63a81e-bc98-401d-9fa0-70eeb9c19e72', '2026-12-02 21:20:16.722276+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (24, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'create_invoice', '1fcb8d1b200d199f4ca66c7da075d59536850fbab5c1c6927fa1dec2bb28dea5', 'dc3427af-4f11-5b53-8851-faaef542ef6c', 'replayed', NULL, NULL, 201, 0, 0, '143ada87-23e6-443c-ae4d-99b452a3e656', '2026-12-02 21:20:16.729809+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (25, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'create_invoice', '040b605b64a7a56aaf5f42aad53ebdb6664c501a8619ef48537ce6974609b2c9', 'cd0f744e-6581-54b7-b75c-882266106ebf', 'new', NULL, NULL, 201, 1, 2, 'fba47501-9285-46ca-8e7a-bb9dcad58b50', '2026-12-02 21:20:16.733361+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (26, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'create_invoice', '040b605b64a7a56aaf5f42aad53ebdb6664c501a8619ef48537ce6974609b2c9', 'cd0f744e-6581-54b7-b75c-882266106ebf', 'replayed', NULL, NULL, 201, 0, 0, 'a3058209-6aee-4347-bd0d-dd17026b4901', '2026-12-02 21:20:16.741452+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (27, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'record_payment', 'e6d8b7e928068395c94ecded72e015d18536bbc6dceaa169a49e8f170ad34201', '7bf29469-6f96-5a2c-bfb3-a24aa52357ea', 'new', NULL, NULL, 201, 1, 2, 'a522a0f7-4da8-4350-a78b-0d8679385e72', '2026-12-02 21:20:16.745641+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (28, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'record_payment', 'e6d8b7e928068395c94ecded72e015d18536bbc6dceaa169a49e8f170ad34201', '7bf29469-6f96-5a2c-bfb3-a24aa52357ea', 'replayed', NULL, NULL, 201, 0, 0, '80f4d682-1935-4b00-adfa-c75e0b7574fe', '2026-12-02 21:20:16.755389+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (29, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'record_payment', '91e6d05e6547598694e1e923312a77a4dbe3b7b2c35d74b3aa7dab8e2ad0a476', '19abb097-9b06-574a-9124-83599b4f0b9f', 'new', NULL, NULL, 201, 1, 3, 'd5c07fc0-38c5-4074-bfbc-9b2b9109879d', '2026-12-02 21:20:16.760034+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (30, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'record_payment', '91e6d05e6547598694e1e923312a77a4dbe3b7b2c35d74b3aa7dab8e2ad0a476', '19abb097-9b06-574a-9124-83599b4f0b9f', 'replayed', NULL, NULL, 201, 0, 0, '9daa6116-ad31-4da5-86c8-cb0d4053d3c1', '2026-12-02 21:20:16.771175+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (31, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'issue_refund', '3ed344092bdc7311ec3bfe4899629dbd9257a55e21c8bd198e497590686cdab6', '1547fda7-52e9-559b-ab14-df4d7fae0a3f', 'new', NULL, NULL, 201, 1, 5, 'c2db9cb3-79fd-4155-aca8-e3be80bf610c', '2026-12-02 21:20:16.776338+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (35, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'create_bill', 'a432abf0cadb932ebd29278473c319fbe592167bd826ef2040ab07c6f9f7d48b', 'e2966ccc-d231-54a7-900d-7f8fcb986501', 'new', NULL, NULL, 201, 1, 2, '1fc11505-882a-4f95-8ee2-a771c07d2334', '2026-12-02 21:20:16.814475+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (39, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'create_payroll_run', '69327dd96e4f97704929f47a315d54184ae9982095bf0c3ec7915a59e75e241f', '19462621-6b29-582f-8d90-1a6ff435b7b2', 'new', NULL, NULL, 201, 0, 1, 'aa6d157d-b5ff-46e5-9ffb-4446b5042809', '2026-12-02 21:20:16.839794+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (43, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'change_user_role', '72229b614abedc596a470d3edb4a2e5f980afbccdef6335afe8c76ce4e2d5a86', 'd6d9054a-e60a-5f2f-b4a0-1c688fda76ac', 'new', NULL, NULL, 201, 0, 1, '0d72a323-e3fd-41bc-a7bb-a4cf4f212d28', '2026-12-02 21:20:16.862842+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (47, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'close_period', '5683297c46c085060f073cf0fa42903e873eb1a7be2cf52bb69cf8db8a8ad59a', 'b856c7d8-c975-542a-aad4-38a76bf27b1b', 'new', NULL, NULL, 201, 0, 1, 'b7b696ec-dd11-4f48-9868-4bfb210e9a1d', '2026-12-02 21:20:16.893849+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (51, '620c3100-5224-40eb-a919-1e3e0214babb', 'create_customer', '2e07ef4732ac586cdf38106fdd8bdacc7b08df7c74ea6ec5cde157d8091f27aa', '7243af29-2977-5a24-8bd2-411aadf74e53', 'new', NULL, NULL, 201, 0, 1, '16ed4af1-b9b2-4dfc-941f-4adc978e6370', '2026-12-02 21:20:16.918903+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (55, '620c3100-5224-40eb-a919-1e3e0214babb', 'create_vendor', 'fbe6d7d3e30b32d41663f55989567617cabf919cd892e52450c03fbbb63d1c7f', 'fa73cb86-e9d2-56ff-88a3-188955ac1117', 'new', NULL, NULL, 201, 0, 0, 'a6bc94bb-c553-44b4-ab6b-be5e46f08e89', '2026-12-02 21:20:16.936129+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (59, '620c3100-5224-40eb-a919-1e3e0214babb', 'create_user', '5d12abbcd8f3b5b15724c6177cee808ae2e36d20e747ff80027ec5615ac2e7f7', 'ec4816cc-1914-521b-a463-a50858746356', 'new', NULL, NULL, 201, 0, 2, '267b6cff-2943-4b36-846b-ff10a915304d', '2026-12-02 21:20:16.953294+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (63, '620c3100-5224-40eb-a919-1e3e0214babb', 'create_account', '5055712a39ce1d3aea7d9ae77837f15fb074c211b5e1647c65930b84e48f4c8b', '379b2280-2600-5580-927f-2580d8e66310', 'new', NULL, NULL, 201, 0, 1, 'cb6097ef-0b0f-405f-bca4-b0506ee15740', '2026-12-02 21:20:16.972436+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (67, '620c3100-5224-40eb-a919-1e3e0214babb', 'update_bank_account', '47cfe2fb43b4e9cf789870e4dd885c438120d7b8058eeafbc2cd1ccac5cc4a3f', 'ea80d01e-bbed-54b7-83f1-5ac947f023fc', 'new', NULL, NULL, 201, 1, 1, '3b33f976-e7c8-4564-bfff-2af62df714f4', '2026-12-02 21:20:16.98957+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (71, '620c3100-5224-40eb-a919-1e3e0214babb', 'create_invoice', 'f9b4b0591efb46799b220c2a4494a0304633686574e7869d9326bd6f16865b47', 'e3389efc-1e6c-5f7d-926d-303c194aa6d8', 'new', NULL, NULL, 201, 1, 2, 'cc04391d-ff99-4b8f-a5e0-0c21177e8c12', '2026-12-02 21:20:17.008641+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (75, '620c3100-5224-40eb-a919-1e3e0214babb', 'create_invoice', 'e63ffef8b631b32ccca2ad46b3b4be0ea900e5d5d66391ce9e049f041321182d', 'f5b2c5fa-edbd-53a3-a547-67428ae31ed1', 'new', NULL, NULL, 201, 1, 1, 'e118a07f-66d4-4c0a-9511-32286bc5872d', '2026-12-02 21:20:17.028944+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (79, '620c3100-5224-40eb-a919-1e3e0214babb', 'record_payment', '11ad5bca516603dd3d3d927bd3bc988ef38e3ca544ceafdd97067ba34bd89a0a', 'b62ed8bf-4c53-5462-aa2c-62aee084e9ef', 'new', NULL, NULL, 201, 1, 4, 'd5e19035-6c60-4563-9c8c-f845734659b3', '2026-12-02 21:20:17.052608+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (83, '620c3100-5224-40eb-a919-1e3e0214babb', 'void_invoice', '6d370f78048005fc462d409f227a3ff2f64fcbe935070d154f9b76806ccb32df', 'b37f7766-7741-5242-8b4f-e886e3d885bf', 'new', NULL, NULL, 201, 1, 1, '638d7a81-6321-4856-92af-50dd38dcd3de', '2026-12-02 21:20:17.091974+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (87, '620c3100-5224-40eb-a919-1e3e0214babb', 'post_journal_entry', '74b0debb9409efce31efd31b7a6027082619d974364db4b61aff4d8d5acd8d34', 'bba1770d-164c-56f8-8387-80bf9c0d9018', 'new', NULL, NULL, 201, 0, 4, '174edad0-508e-4fc9-9154-643dddb6e458', '2026-12-02 21:20:17.119645+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (91, '620c3100-5224-40eb-a919-1e3e0214babb', 'approve_payroll_run', '8930c3a85f2295d1f9f37fde69d6609523b227534ea89308698051ada6289947', 'a2592bf8-48c5-50d9-b92a-f8981ede068c', 'new', NULL, NULL, 201, 1, 1, '3776aee7-5ba3-483a-b812-a95f157d2008', '2026-12-02 21:20:17.144122+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (95, '620c3100-5224-40eb-a919-1e3e0214babb', 'delete_customer', '773ffc71995d4f340119c0ef7eb0341c59f8aea2cc82ab977985845c7978ef74', 'cc1192e8-0556-5008-a9a8-98ad01da5e44', 'new', NULL, NULL, 201, 0, 1, 'e9a4b06b-9255-4f80-a732-1969275a1cdb', '2026-12-02 21:20:17.166355+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (99, '620c3100-5224-40eb-a919-1e3e0214babb', 'record_payment', 'e3e64e92302b8f80b5dfc089a4aaaa92f41c6d67c0cf1f3b18be5e2db0b11842', '5fbe7902-c8ee-50c9-895a-179b207fff83', 'rejected', 'invoice_not_payable', 'invoice is paid', 422, 0, 1, '51d633c4-8537-4fa2-a930-8b7f38de8354', '2026-12-02 21:20:17.184089+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (32, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'issue_refund', '3ed344092bdc7311ec3bfe4899629dbd9257a55e21c8bd198e497590686cdab6', '1547fda7-52e9-559b-ab14-df4d7fae0a3f', 'replayed', NULL, NULL, 201, 0, 0, '91da13dd-2a82-4d37-83ef-41dad3d25069', '2026-12-02 21:20:16.791724+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (34, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'void_invoice', 'bdea262f7838f95d43210bde811516c6a25ad7f4f3f6885b6253ffc599d580f3', '27378da3-32ec-5dbc-9022-7e6dc06f1635', 'replayed', NULL, NULL, 201, 0, 0, 'c3465ea7-4b66-48f6-8c73-879ea8f75f3d', '2026-12-02 21:20:16.809491+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (36, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'create_bill', 'a432abf0cadb932ebd29278473c319fbe592167bd826ef2040ab07c6f9f7d48b', 'e2966ccc-d231-54a7-900d-7f8fcb986501', 'replayed', NULL, NULL, 201, 0, 0, '2632cda9-29f0-4997-9f45-72ad6b343058', '2026-12-02 21:20:16.822798+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (38, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'post_journal_entry', '6c3fcc5a2a999a6e3f13f3c74fd2edce26870f5198c74f782a44f4cf1ab2fbb0', 'a89ea87e-9f10-5df5-b41f-c12ee3df6a54', 'replayed', NULL, NULL, 201, 0, 0, 'a745a19c-7e2e-4bb2-b2f8-668024d8d226', '2026-12-02 21:20:16.835837+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (40, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'create_payroll_run', '69327dd96e4f97704929f47a315d54184ae9982095bf0c3ec7915a59e75e241f', '19462621-6b29-582f-8d90-1a6ff435b7b2', 'replayed', NULL, NULL, 201, 0, 0, 'dcc0baa5-1cd0-46d6-a611-a41b54b86267', '2026-12-02 21:20:16.845385+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (42, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'approve_payroll_run', '61059100ef87bb13354b4a9f7265aec9616c223504ba7c01903173342e3443ed', 'e78196b9-0db9-5b82-acf9-3981d48a40ac', 'replayed', NULL, NULL, 201, 0, 0, 'a0ac51c5-19ae-4c61-9d46-c48b5f8e84d7', '2026-12-02 21:20:16.859054+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (44, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'change_user_role', '72229b614abedc596a470d3edb4a2e5f980afbccdef6335afe8c76ce4e2d5a86', 'd6d9054a-e60a-5f2f-b4a0-1c688fda76ac', 'replayed', NULL, NULL, 201, 0, 0, 'e778a553-00c3-414c-87fa-353bac1afb35', '2026-12-02 21:20:16.869822+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (46, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'delete_customer', 'f47adaee6ddc44073c7acb33feed0db219b96c3a906c380ca3054c406d58a0bb', '98dd5d45-c58d-5885-b5c6-8d1d6e5dcdfc', 'replayed', NULL, NULL, 201, 0, 0, '6d9fbb18-0cf4-4f32-a27b-abb3e24693cf', '2026-12-02 21:20:16.889576+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (48, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'close_period', '5683297c46c085060f073cf0fa42903e873eb1a7be2cf52bb69cf8db8a8ad59a', 'b856c7d8-c975-542a-aad4-38a76bf27b1b', 'replayed', NULL, NULL, 201, 0, 0, '44df5308-abf5-457a-a82a-eed6fbdc6d42', '2026-12-02 21:20:16.900956+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (50, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'record_payment', 'e9618525649ee6760cf8d0d9f26804248f9a3f1c5b7c922d0224f9ab1c5ae211', '445b5aef-c509-5287-97fc-c41469553d20', 'replayed', NULL, NULL, 422, 0, 0, 'c9a51978-68c6-4632-b920-f1dfb77a0e99', '2026-12-02 21:20:16.914064+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (52, '620c3100-5224-40eb-a919-1e3e0214babb', 'create_customer', '2e07ef4732ac586cdf38106fdd8bdacc7b08df7c74ea6ec5cde157d8091f27aa', '7243af29-2977-5a24-8bd2-411aadf74e53', 'replayed', NULL, NULL, 201, 0, 0, 'cac4e869-4b5a-4c65-8de7-8b982ee5df8e', '2026-12-02 21:20:16.925479+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (54, '620c3100-5224-40eb-a919-1e3e0214babb', 'create_customer', '37faa6ed6322ac150ba2957f9cd8b009a6a29924a7450fef8397a20d5ff47013', 'a76c662e-7b74-5b8f-ac03-c02aae0dbf30', 'replayed', NULL, NULL, 201, 0, 0, 'a6657208-9cd1-45cf-b9d9-3f03bd1c3eb0', '2026-12-02 21:20:16.933464+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (56, '620c3100-5224-40eb-a919-1e3e0214babb', 'create_vendor', 'fbe6d7d3e30b32d41663f55989567617cabf919cd892e52450c03fbbb63d1c7f', 'fa73cb86-e9d2-56ff-88a3-188955ac1117', 'replayed', NULL, NULL, 201, 0, 0, 'b24ed966-3012-49b4-a936-a37baecb5c45', '2026-12-02 21:20:16.940342+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (58, '620c3100-5224-40eb-a919-1e3e0214babb', 'create_user', '7fccb276ca8104f256478f4eed3290fdafe829f60d88e04c6161d91ca32891d5', '438256ec-4787-59d2-af39-605afa1b7408', 'replayed', NULL, NULL, 201, 0, 0, 'c91599f3-2312-486b-9ce9-81aaa76bf73e', '2026-12-02 21:20:16.950106+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (60, '620c3100-5224-40eb-a919-1e3e0214babb', 'create_user', '5d12abbcd8f3b5b15724c6177cee808ae2e36d20e747ff80027ec5615ac2e7f7', 'ec4816cc-1914-521b-a463-a50858746356', 'replayed', NULL, NULL, 201, 0, 0, '2d0a1149-88d4-4b45-93aa-96bb55f4474a', '2026-12-02 21:20:16.96134+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (62, '620c3100-5224-40eb-a919-1e3e0214babb', 'create_account', 'fd55884f2c6fd8dbc18e3e32e392f2465a780a61fa14fd1981ddbf1969830d6e', 'ae1fb7a5-4035-5843-b010-25665220b11f', 'replayed', NULL, NULL, 201, 0, 0, '8b75b47b-3d48-4aca-bfd9-80a48c54ba6d', '2026-12-02 21:20:16.969653+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (64, '620c3100-5224-40eb-a919-1e3e0214babb', 'create_account', '5055712a39ce1d3aea7d9ae77837f15fb074c211b5e1647c65930b84e48f4c8b', '379b2280-2600-5580-927f-2580d8e66310', 'replayed', NULL, NULL, 201, 0, 0, '59d06af2-7304-437c-89f9-a2af22ce5f7d', '2026-12-02 21:20:16.978782+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (66, '620c3100-5224-40eb-a919-1e3e0214babb', 'create_bank_account', '064d7cd60ca173ac6a1441f730cfb8efb1c56d1b2aa74baa9464d99d045e65a4', '60d66e59-d948-5c71-befd-22ea28f7fa8e', 'replayed', NULL, NULL, 201, 0, 0, '51acf75b-8deb-4023-8f87-dcbb8d9ac0d0', '2026-12-02 21:20:16.986721+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (68, '620c3100-5224-40eb-a919-1e3e0214babb', 'update_bank_account', '47cfe2fb43b4e9cf789870e4dd885c438120d7b8058eeafbc2cd1ccac5cc4a3f', 'ea80d01e-bbed-54b7-83f1-5ac947f023fc', 'replayed', NULL, NULL, 201, 0, 0, '617c692a-f49f-4624-80ee-597b50c08330', '2026-12-02 21:20:16.995383+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (70, '620c3100-5224-40eb-a919-1e3e0214babb', 'create_invoice', '119a702e823e5e8268cbbfe65a65340b77c6d6bcbc4f9bcf06fb7bd473654f9e', 'cb239ad3-f76f-51bb-ab00-d9e533f6c073', 'replayed', NULL, NULL, 201, 0, 0, '8c1ca956-c801-44ed-81a3-41088e3d1569', '2026-12-02 21:20:17.005284+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (72, '620c3100-5224-40eb-a919-1e3e0214babb', 'create_invoice', 'f9b4b0591efb46799b220c2a4494a0304633686574e7869d9326bd6f16865b47', 'e3389efc-1e6c-5f7d-926d-303c194aa6d8', 'replayed', NULL, NULL, 201, 0, 0, '1e7e1aec-300c-4ff3-b501-4dc4cf512d67', '2026-12-02 21:20:17.016551+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (74, '620c3100-5224-40eb-a919-1e3e0214babb', 'create_invoice', 'a7b6fbca2a102670cbe6dc2f22c7172911a753576eac5f7781a2d976f3c07131', 'dce1f89d-33ca-5b66-aa57-8745c5cc2071', 'replayed', NULL, NULL, 201, 0, 0, 'c91c1401-5733-47a7-9506-d1831db7d38d', '2026-12-02 21:20:17.025939+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (76, '620c3100-5224-40eb-a919-1e3e0214babb', 'create_invoice', 'e63ffef8b631b32ccca2ad46b3b4be0ea900e5d5d66391ce9e049f041321182d', 'f5b2c5fa-edbd-53a3-a547-67428ae31ed1', 'replayed', NULL, NULL, 201, 0, 0, 'a6949957-b953-4fb0-a393-95873b975f92', '2026-12-02 21:20:17.034174+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (78, '620c3100-5224-40eb-a919-1e3e0214babb', 'record_payment', '38f5b90786f65a9faa07e04b3a2d62b664df01b74acdd28997cf873716be570d', '9f1fb896-263c-53ec-9c97-447cf7cbdfe6', 'replayed', NULL, NULL, 201, 0, 0, '6203bc64-5509-4c27-ae24-c595ce158d58', '2026-12-02 21:20:17.047019+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (80, '620c3100-5224-40eb-a919-1e3e0214babb', 'record_payment', '11ad5bca516603dd3d3d927bd3bc988ef38e3ca544ceafdd97067ba34bd89a0a', 'b62ed8bf-4c53-5462-aa2c-62aee084e9ef', 'replayed', NULL, NULL, 201, 0, 0, '5e0a23b3-83a0-4682-a339-889a66f924f2', '2026-12-02 21:20:17.067838+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (82, '620c3100-5224-40eb-a919-1e3e0214babb', 'issue_refund', 'a5e3d943d583896c2cbc6d6f764dd79ed4a48d2f469af5b09de570d4cf21de58', '94990875-66e2-539f-ad9a-154ff0f3a1c2', 'replayed', NULL, NULL, 201, 0, 0, '17d4d41d-82e7-4d66-afec-7fb184c6d8df', '2026-12-02 21:20:17.086142+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (84, '620c3100-5224-40eb-a919-1e3e0214babb', 'void_invoice', '6d370f78048005fc462d409f227a3ff2f64fcbe935070d154f9b76806ccb32df', 'b37f7766-7741-5242-8b4f-e886e3d885bf', 'replayed', NULL, NULL, 201, 0, 0, '55c5ffcc-efea-461d-a85a-6b73897bde1b', '2026-12-02 21:20:17.100379+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (86, '620c3100-5224-40eb-a919-1e3e0214babb', 'create_bill', '9ba698060430946df4bb1c692c052b1aa33a5cbc92cc4cbf8817d974c7c18ec4', '771d1b9f-ed2e-5f0e-a816-a2a5694f3a7f', 'replayed', NULL, NULL, 201, 0, 0, '26c3e6da-8924-4eb7-b166-1243ca542985', '2026-12-02 21:20:17.116126+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (88, '620c3100-5224-40eb-a919-1e3e0214babb', 'post_journal_entry', '74b0debb9409efce31efd31b7a6027082619d974364db4b61aff4d8d5acd8d34', 'bba1770d-164c-56f8-8387-80bf9c0d9018', 'replayed', NULL, NULL, 201, 0, 0, '2f6ced28-0a30-45e6-a8ec-eef5914dba94', '2026-12-02 21:20:17.129072+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (33, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'void_invoice', 'bdea262f7838f95d43210bde811516c6a25ad7f4f3f6885b6253ffc599d580f3', '27378da3-32ec-5dbc-9022-7e6dc06f1635', 'new', NULL, NULL, 201, 1, 5, '67816561-0a0a-4aab-b115-1a2497379590', '2026-12-02 21:20:16.797968+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (37, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'post_journal_entry', '6c3fcc5a2a999a6e3f13f3c74fd2edce26870f5198c74f782a44f4cf1ab2fbb0', 'a89ea87e-9f10-5df5-b41f-c12ee3df6a54', 'new', NULL, NULL, 201, 0, 2, '81bde86b-f532-4eb7-9d9c-3cc156dcb9e4', '2026-12-02 21:20:16.826976+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (41, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'approve_payroll_run', '61059100ef87bb13354b4a9f7265aec9616c223504ba7c01903173342e3443ed', 'e78196b9-0db9-5b82-acf9-3981d48a40ac', 'new', NULL, NULL, 201, 1, 2, '41c96492-86d7-426e-9800-2c77d2f95ffc', '2026-12-02 21:20:16.849814+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (45, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'delete_customer', 'f47adaee6ddc44073c7acb33feed0db219b96c3a906c380ca3054c406d58a0bb', '98dd5d45-c58d-5885-b5c6-8d1d6e5dcdfc', 'new', NULL, NULL, 201, 0, 3, 'f5bb24d5-4f2f-49f4-9c6a-1c68aab12901', '2026-12-02 21:20:16.875335+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (49, '14926d03-0979-4326-9a3c-a24c227c9a5d', 'record_payment', 'e9618525649ee6760cf8d0d9f26804248f9a3f1c5b7c922d0224f9ab1c5ae211', '445b5aef-c509-5287-97fc-c41469553d20', 'rejected', 'invoice_not_payable', 'invoice is paid', 422, 0, 4, '0bec5e38-acc9-4d21-b340-69d446204150', '2026-12-02 21:20:16.904424+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (53, '620c3100-5224-40eb-a919-1e3e0214babb', 'create_customer', '37faa6ed6322ac150ba2957f9cd8b009a6a29924a7450fef8397a20d5ff47013', 'a76c662e-7b74-5b8f-ac03-c02aae0dbf30', 'new', NULL, NULL, 201, 0, 0, '15117c0a-7ab2-4d88-8903-b13003c61d98', '2026-12-02 21:20:16.9293+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (57, '620c3100-5224-40eb-a919-1e3e0214babb', 'create_user', '7fccb276ca8104f256478f4eed3290fdafe829f60d88e04c6161d91ca32891d5', '438256ec-4787-59d2-af39-605afa1b7408', 'new', NULL, NULL, 201, 0, 2, 'c234514a-5c08-4d8f-aa21-f23edd7100bc', '2026-12-02 21:20:16.94311+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (61, '620c3100-5224-40eb-a919-1e3e0214babb', 'create_account', 'fd55884f2c6fd8dbc18e3e32e392f2465a780a61fa14fd1981ddbf1969830d6e', 'ae1fb7a5-4035-5843-b010-25665220b11f', 'new', NULL, NULL, 201, 0, 1, '8ef6860c-bdfc-40fb-96cb-5be1a80fb867', '2026-12-02 21:20:16.964233+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (65, '620c3100-5224-40eb-a919-1e3e0214babb', 'create_bank_account', '064d7cd60ca173ac6a1441f730cfb8efb1c56d1b2aa74baa9464d99d045e65a4', '60d66e59-d948-5c71-befd-22ea28f7fa8e', 'new', NULL, NULL, 201, 0, 1, 'f6086e27-5f4b-429b-81f7-b94498250e22', '2026-12-02 21:20:16.982147+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (69, '620c3100-5224-40eb-a919-1e3e0214babb', 'create_invoice', '119a702e823e5e8268cbbfe65a65340b77c6d6bcbc4f9bcf06fb7bd473654f9e', 'cb239ad3-f76f-51bb-ab00-d9e533f6c073', 'new', NULL, NULL, 201, 1, 2, '8af0b16a-f04a-48eb-bf9c-718ca4ecfc15', '2026-12-02 21:20:16.99915+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (73, '620c3100-5224-40eb-a919-1e3e0214babb', 'create_invoice', 'a7b6fbca2a102670cbe6dc2f22c7172911a753576eac5f7781a2d976f3c07131', 'dce1f89d-33ca-5b66-aa57-8745c5cc2071', 'new', NULL, NULL, 201, 1, 1, 'd46ba003-8d2d-44d5-8252-a0461d4b79bd', '2026-12-02 21:20:17.02009+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (77, '620c3100-5224-40eb-a919-1e3e0214babb', 'record_payment', '38f5b90786f65a9faa07e04b3a2d62b664df01b74acdd28997cf873716be570d', '9f1fb896-263c-53ec-9c97-447cf7cbdfe6', 'new', NULL, NULL, 201, 1, 1, 'd3bd1b03-fff1-4772-b6c1-d43457cac095', '2026-12-02 21:20:17.038106+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (81, '620c3100-5224-40eb-a919-1e3e0214babb', 'issue_refund', 'a5e3d943d583896c2cbc6d6f764dd79ed4a48d2f469af5b09de570d4cf21de58', '94990875-66e2-539f-ad9a-154ff0f3a1c2', 'new', NULL, NULL, 201, 1, 2, 'bffc02a5-ad43-4b25-892c-da7dbbb8206b', '2026-12-02 21:20:17.075236+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (85, '620c3100-5224-40eb-a919-1e3e0214babb', 'create_bill', '9ba698060430946df4bb1c692c052b1aa33a5cbc92cc4cbf8817d974c7c18ec4', '771d1b9f-ed2e-5f0e-a816-a2a5694f3a7f', 'new', NULL, NULL, 201, 1, 2, '0f7c748c-d68e-4544-aa6d-bc897d6dd219', '2026-12-02 21:20:17.106154+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (89, '620c3100-5224-40eb-a919-1e3e0214babb', 'create_payroll_run', '7fc1fd05c122a8a021ce0a0bf6e7a4e9acdd6e2e7ed3ef970dc812fc71be18cf', '01ff8597-5bfe-5a76-8371-fc4139a276b3', 'new', NULL, NULL, 201, 0, 0, '49025851-d845-43e5-a81f-27c3076f52ae', '2026-12-02 21:20:17.132345+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (93, '620c3100-5224-40eb-a919-1e3e0214babb', 'change_user_role', '5b16b1c200f5e476fa63bc70e655ed5367b82bff795016ad2ed0f662ebedc734', '10c528fc-2e60-5af9-82e5-4829ef793950', 'new', NULL, NULL, 201, 0, 1, '8d628940-03d2-4218-84a8-4f7a97f7d9b5', '2026-12-02 21:20:17.153991+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (97, '620c3100-5224-40eb-a919-1e3e0214babb', 'close_period', 'dd204f3922af11de5f130f9b836d54a4814a5a3b8d3657d3eb304259f7648ffd', '53efcfb1-aaed-5435-8e43-9a214399bce3', 'new', NULL, NULL, 201, 0, 1, '7fa46dfb-00e6-4dcf-9c5d-b138d6407f71', '2026-12-02 21:20:17.175866+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (90, '620c3100-5224-40eb-a919-1e3e0214babb', 'create_payroll_run', '7fc1fd05c122a8a021ce0a0bf6e7a4e9acdd6e2e7ed3ef970dc812fc71be18cf', '01ff8597-5bfe-5a76-8371-fc4139a276b3', 'replayed', NULL, NULL, 201, 0, 0, 'f8abe40e-2929-44ff-82b8-8b1159b9fde5', '2026-12-02 21:20:17.139373+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (92, '620c3100-5224-40eb-a919-1e3e0214babb', 'approve_payroll_run', '8930c3a85f2295d1f9f37fde69d6609523b227534ea89308698051ada6289947', 'a2592bf8-48c5-50d9-b92a-f8981ede068c', 'replayed', NULL, NULL, 201, 0, 0, 'fce8baed-8ea4-410a-9e25-819b4b785e9b', '2026-12-02 21:20:17.150842+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (94, '620c3100-5224-40eb-a919-1e3e0214babb', 'change_user_role', '5b16b1c200f5e476fa63bc70e655ed5367b82bff795016ad2ed0f662ebedc734', '10c528fc-2e60-5af9-82e5-4829ef793950', 'replayed', NULL, NULL, 201, 0, 0, '157e214d-814a-4923-a8c0-f78cf031fd67', '2026-12-02 21:20:17.16163+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (96, '620c3100-5224-40eb-a919-1e3e0214babb', 'delete_customer', '773ffc71995d4f340119c0ef7eb0341c59f8aea2cc82ab977985845c7978ef74', 'cc1192e8-0556-5008-a9a8-98ad01da5e44', 'replayed', NULL, NULL, 201, 0, 0, 'f46b113e-0007-4ea6-9926-03ef8f93cd55', '2026-12-02 21:20:17.172753+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (98, '620c3100-5224-40eb-a919-1e3e0214babb', 'close_period', 'dd204f3922af11de5f130f9b836d54a4814a5a3b8d3657d3eb304259f7648ffd', '53efcfb1-aaed-5435-8e43-9a214399bce3', 'replayed', NULL, NULL, 201, 0, 0, '1746baaa-4b85-4b0d-9334-bfa47c0a94a2', '2026-12-02 21:20:17.181263+00');
INSERT INTO public.idempotent_write_audit_log_2026_12 VALUES (100, '620c3100-5224-40eb-a919-1e3e0214babb', 'record_payment', 'e3e64e92302b8f80b5dfc089a4aaaa92f41c6d67c0cf1f3b18be5e2db0b11842', '5fbe7902-c8ee-50c9-895a-179b207fff83', 'replayed', NULL, NULL, 422, 0, 0, '97d5c5f7-09f2-4d3e-bd5d-97bb513cde7b', '2026-12-02 21:20:17.189364+00');


--
-- Data for Name: idempotent_write_audit_log_2027_01; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: idempotent_write_audit_log_2027_02; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: idempotent_write_audit_log_2027_03; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: idempotent_write_audit_log_archive; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: idempotent_write_audit_log_default; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: named_locks; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.named_locks VALUES ('14926d03-0979-4326-9a3c-a24c227c9a5d', 'user_email:admin@example.com');
INSERT INTO public.named_locks VALUES ('14926d03-0979-4326-9a3c-a24c227c9a5d', 'user_email:viewer@example.com');
INSERT INTO public.named_locks VALUES ('14926d03-0979-4326-9a3c-a24c227c9a5d', 'account_code:1000');
INSERT INTO public.named_locks VALUES ('14926d03-0979-4326-9a3c-a24c227c9a5d', 'account_code:4000');
INSERT INTO public.named_locks VALUES ('14926d03-0979-4326-9a3c-a24c227c9a5d', 'period:2026-12');
INSERT INTO public.named_locks VALUES ('14926d03-0979-4326-9a3c-a24c227c9a5d', 'period:2019-01');
INSERT INTO public.named_locks VALUES ('620c3100-5224-40eb-a919-1e3e0214babb', 'user_email:admin@example.com');
INSERT INTO public.named_locks VALUES ('620c3100-5224-40eb-a919-1e3e0214babb', 'user_email:viewer@example.com');
INSERT INTO public.named_locks VALUES ('620c3100-5224-40eb-a919-1e3e0214babb', 'account_code:1000');
INSERT INTO public.named_locks VALUES ('620c3100-5224-40eb-a919-1e3e0214babb', 'account_code:4000');
INSERT INTO public.named_locks VALUES ('620c3100-5224-40eb-a919-1e3e0214babb', 'period:2026-12');
INSERT INTO public.named_locks VALUES ('620c3100-5224-40eb-a919-1e3e0214babb', 'period:2019-01');


--
-- Data for Name: tenants; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.tenants VALUES ('14926d03-0979-4326-9a3c-a24c227c9a5d', 'Upgrade A', '233630b7f46d92bf3e8e5016635754892dc68f9bc5e7ea826f528d54f4ce8d5f', false, '2026-12-02 21:20:16.343036+00');
INSERT INTO public.tenants VALUES ('620c3100-5224-40eb-a919-1e3e0214babb', 'Upgrade B', '6bfd2067bbb4a8dfc7197d85930003d94e62652a2e69618afa8ec65be099e933', false, '2026-12-02 21:20:16.372707+00');


--
-- Data for Name: workflow_instances; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.workflow_instances VALUES ('cdc0ede9-33c5-5013-8b39-5842b6b500dd', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'invoice_email', 'cd0f744e-6581-54b7-b75c-882266106ebf', 'create_invoice', '{"entity_id":"cd0f744e-6581-54b7-b75c-882266106ebf"}', 'done', 1, '2026-12-02 21:20:16.733361+00', NULL, NULL, '2026-12-02 21:20:17.452372+00', NULL);
INSERT INTO public.workflow_instances VALUES ('facb2324-77f2-5ae0-8649-fa07e9bded6b', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'payment_receipt', '7bf29469-6f96-5a2c-bfb3-a24aa52357ea', 'record_payment', '{"entity_id":"7bf29469-6f96-5a2c-bfb3-a24aa52357ea"}', 'done', 1, '2026-12-02 21:20:16.745641+00', NULL, NULL, '2026-12-02 21:20:17.452372+00', NULL);
INSERT INTO public.workflow_instances VALUES ('ff73faab-8a6d-55e4-82f0-0d3d6277b74e', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'bill_approval', 'e2966ccc-d231-54a7-900d-7f8fcb986501', 'create_bill', '{"entity_id":"e2966ccc-d231-54a7-900d-7f8fcb986501"}', 'done', 1, '2026-12-02 21:20:16.814475+00', NULL, NULL, '2026-12-02 21:20:17.452372+00', NULL);
INSERT INTO public.workflow_instances VALUES ('834a655b-48cd-5f48-99e9-73f4612708f3', '620c3100-5224-40eb-a919-1e3e0214babb', 'invoice_email', 'e3389efc-1e6c-5f7d-926d-303c194aa6d8', 'create_invoice', '{"entity_id":"e3389efc-1e6c-5f7d-926d-303c194aa6d8"}', 'done', 1, '2026-12-02 21:20:17.008641+00', NULL, NULL, '2026-12-02 21:20:17.452372+00', NULL);
INSERT INTO public.workflow_instances VALUES ('930d401d-5315-55cb-b5df-f06d87d3d17f', '620c3100-5224-40eb-a919-1e3e0214babb', 'invoice_email', 'f5b2c5fa-edbd-53a3-a547-67428ae31ed1', 'create_invoice', '{"entity_id":"f5b2c5fa-edbd-53a3-a547-67428ae31ed1"}', 'done', 1, '2026-12-02 21:20:17.028944+00', NULL, NULL, '2026-12-02 21:20:17.452372+00', NULL);
INSERT INTO public.workflow_instances VALUES ('58dd9ca7-5804-51d2-a382-f65bb6ab59fc', '620c3100-5224-40eb-a919-1e3e0214babb', 'payment_receipt', '9f1fb896-263c-53ec-9c97-447cf7cbdfe6', 'record_payment', '{"entity_id":"9f1fb896-263c-53ec-9c97-447cf7cbdfe6"}', 'done', 1, '2026-12-02 21:20:17.038106+00', NULL, NULL, '2026-12-02 21:20:17.452372+00', NULL);
INSERT INTO public.workflow_instances VALUES ('d309a06b-aa16-5d32-9f19-ee1dec6fe06b', '620c3100-5224-40eb-a919-1e3e0214babb', 'refund_payout', '94990875-66e2-539f-ad9a-154ff0f3a1c2', 'issue_refund', '{"entity_id":"94990875-66e2-539f-ad9a-154ff0f3a1c2"}', 'done', 1, '2026-12-02 21:20:17.075236+00', NULL, NULL, '2026-12-02 21:20:17.452372+00', NULL);
INSERT INTO public.workflow_instances VALUES ('b0a95efc-4518-58ba-920b-b76b8574158f', '620c3100-5224-40eb-a919-1e3e0214babb', 'bill_approval', '771d1b9f-ed2e-5f0e-a816-a2a5694f3a7f', 'create_bill', '{"entity_id":"771d1b9f-ed2e-5f0e-a816-a2a5694f3a7f"}', 'done', 1, '2026-12-02 21:20:17.106154+00', NULL, NULL, '2026-12-02 21:20:17.452372+00', NULL);
INSERT INTO public.workflow_instances VALUES ('e7af7f3b-6ffe-5889-a741-196652b2efd8', '620c3100-5224-40eb-a919-1e3e0214babb', 'payroll_disbursement', 'a2592bf8-48c5-50d9-b92a-f8981ede068c', 'approve_payroll_run', '{"entity_id":"a2592bf8-48c5-50d9-b92a-f8981ede068c"}', 'done', 1, '2026-12-02 21:20:17.144122+00', NULL, NULL, '2026-12-02 21:20:17.452372+00', NULL);
INSERT INTO public.workflow_instances VALUES ('38d0699f-172a-595b-9013-41ab2f9b50b6', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'bank_change_alert', '9be784f4-a406-5a55-8929-ba4ab8ba176c', 'update_bank_account', '{"entity_id":"9be784f4-a406-5a55-8929-ba4ab8ba176c"}', 'done', 1, '2026-12-02 21:20:16.668072+00', NULL, NULL, '2026-12-02 21:20:17.452372+00', NULL);
INSERT INTO public.workflow_instances VALUES ('83caa02e-d202-5517-b721-449fd09a9e5e', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'invoice_email', 'b97a0fab-2fa2-5023-9ef3-9f47fa725a67', 'create_invoice', '{"entity_id":"b97a0fab-2fa2-5023-9ef3-9f47fa725a67"}', 'done', 1, '2026-12-02 21:20:16.687785+00', NULL, NULL, '2026-12-02 21:20:17.452372+00', NULL);
INSERT INTO public.workflow_instances VALUES ('f955a174-9e7a-5a81-8eb9-e1358b673949', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'invoice_email', 'b6db8e74-39dd-5abb-95bc-4139eb1634e4', 'create_invoice', '{"entity_id":"b6db8e74-39dd-5abb-95bc-4139eb1634e4"}', 'done', 1, '2026-12-02 21:20:16.706317+00', NULL, NULL, '2026-12-02 21:20:17.452372+00', NULL);
INSERT INTO public.workflow_instances VALUES ('d32343a0-96d6-5ea7-a054-59239c359a89', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'invoice_email', 'dc3427af-4f11-5b53-8851-faaef542ef6c', 'create_invoice', '{"entity_id":"dc3427af-4f11-5b53-8851-faaef542ef6c"}', 'done', 1, '2026-12-02 21:20:16.722276+00', NULL, NULL, '2026-12-02 21:20:17.452372+00', NULL);
INSERT INTO public.workflow_instances VALUES ('4a3c9c69-9124-56b7-bfd8-a410e89f0191', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'payment_receipt', '19abb097-9b06-574a-9124-83599b4f0b9f', 'record_payment', '{"entity_id":"19abb097-9b06-574a-9124-83599b4f0b9f"}', 'done', 1, '2026-12-02 21:20:16.760034+00', NULL, NULL, '2026-12-02 21:20:17.452372+00', NULL);
INSERT INTO public.workflow_instances VALUES ('bba02d93-ebaf-574e-803b-dfa837f8ced8', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'refund_payout', '1547fda7-52e9-559b-ab14-df4d7fae0a3f', 'issue_refund', '{"entity_id":"1547fda7-52e9-559b-ab14-df4d7fae0a3f"}', 'done', 1, '2026-12-02 21:20:16.776338+00', NULL, NULL, '2026-12-02 21:20:17.452372+00', NULL);
INSERT INTO public.workflow_instances VALUES ('bc098c34-7643-5052-9615-604f45b7c0e7', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'invoice_voided', '27378da3-32ec-5dbc-9022-7e6dc06f1635', 'void_invoice', '{"entity_id":"27378da3-32ec-5dbc-9022-7e6dc06f1635"}', 'done', 1, '2026-12-02 21:20:16.797968+00', NULL, NULL, '2026-12-02 21:20:17.452372+00', NULL);
INSERT INTO public.workflow_instances VALUES ('38516b47-c0aa-5e26-851c-f71348723893', '14926d03-0979-4326-9a3c-a24c227c9a5d', 'payroll_disbursement', 'e78196b9-0db9-5b82-acf9-3981d48a40ac', 'approve_payroll_run', '{"entity_id":"e78196b9-0db9-5b82-acf9-3981d48a40ac"}', 'done', 1, '2026-12-02 21:20:16.849814+00', NULL, NULL, '2026-12-02 21:20:17.452372+00', NULL);
INSERT INTO public.workflow_instances VALUES ('707ebc4e-1735-573d-91ff-89dddef6e58f', '620c3100-5224-40eb-a919-1e3e0214babb', 'bank_change_alert', 'ea80d01e-bbed-54b7-83f1-5ac947f023fc', 'update_bank_account', '{"entity_id":"ea80d01e-bbed-54b7-83f1-5ac947f023fc"}', 'done', 1, '2026-12-02 21:20:16.98957+00', NULL, NULL, '2026-12-02 21:20:17.452372+00', NULL);
INSERT INTO public.workflow_instances VALUES ('4f9fd0f3-9005-5caf-befa-07a0c7050481', '620c3100-5224-40eb-a919-1e3e0214babb', 'invoice_email', 'cb239ad3-f76f-51bb-ab00-d9e533f6c073', 'create_invoice', '{"entity_id":"cb239ad3-f76f-51bb-ab00-d9e533f6c073"}', 'done', 1, '2026-12-02 21:20:16.99915+00', NULL, NULL, '2026-12-02 21:20:17.452372+00', NULL);
INSERT INTO public.workflow_instances VALUES ('07738a18-bb81-552e-96b6-56fb50410cee', '620c3100-5224-40eb-a919-1e3e0214babb', 'invoice_email', 'dce1f89d-33ca-5b66-aa57-8745c5cc2071', 'create_invoice', '{"entity_id":"dce1f89d-33ca-5b66-aa57-8745c5cc2071"}', 'done', 1, '2026-12-02 21:20:17.02009+00', NULL, NULL, '2026-12-02 21:20:17.452372+00', NULL);
INSERT INTO public.workflow_instances VALUES ('2df51596-0d50-5931-a34e-7ea1b276bd3b', '620c3100-5224-40eb-a919-1e3e0214babb', 'payment_receipt', 'b62ed8bf-4c53-5462-aa2c-62aee084e9ef', 'record_payment', '{"entity_id":"b62ed8bf-4c53-5462-aa2c-62aee084e9ef"}', 'done', 1, '2026-12-02 21:20:17.052608+00', NULL, NULL, '2026-12-02 21:20:17.452372+00', NULL);
INSERT INTO public.workflow_instances VALUES ('d9b96603-16ef-5cb2-9fd9-aa7758b2f18e', '620c3100-5224-40eb-a919-1e3e0214babb', 'invoice_voided', 'b37f7766-7741-5242-8b4f-e886e3d885bf', 'void_invoice', '{"entity_id":"b37f7766-7741-5242-8b4f-e886e3d885bf"}', 'done', 1, '2026-12-02 21:20:17.091974+00', NULL, NULL, '2026-12-02 21:20:17.452372+00', NULL);


--
-- Name: idempotent_write_audit_log_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.idempotent_write_audit_log_id_seq', 100, true);


--
-- Name: _sqlx_migrations _sqlx_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public._sqlx_migrations
    ADD CONSTRAINT _sqlx_migrations_pkey PRIMARY KEY (version);


--
-- Name: entities entities_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.entities
    ADD CONSTRAINT entities_pkey PRIMARY KEY (id);


--
-- Name: idempotency_keys idempotency_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotency_keys
    ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (tenant_id, idempotency_key);


--
-- Name: idempotent_write_audit_log idempotent_write_audit_log_pkey1; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotent_write_audit_log
    ADD CONSTRAINT idempotent_write_audit_log_pkey1 PRIMARY KEY (id, "timestamp");


--
-- Name: idempotent_write_audit_log_2026_11 idempotent_write_audit_log_2026_11_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotent_write_audit_log_2026_11
    ADD CONSTRAINT idempotent_write_audit_log_2026_11_pkey PRIMARY KEY (id, "timestamp");


--
-- Name: idempotent_write_audit_log_2026_12 idempotent_write_audit_log_2026_12_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotent_write_audit_log_2026_12
    ADD CONSTRAINT idempotent_write_audit_log_2026_12_pkey PRIMARY KEY (id, "timestamp");


--
-- Name: idempotent_write_audit_log_2027_01 idempotent_write_audit_log_2027_01_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotent_write_audit_log_2027_01
    ADD CONSTRAINT idempotent_write_audit_log_2027_01_pkey PRIMARY KEY (id, "timestamp");


--
-- Name: idempotent_write_audit_log_2027_02 idempotent_write_audit_log_2027_02_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotent_write_audit_log_2027_02
    ADD CONSTRAINT idempotent_write_audit_log_2027_02_pkey PRIMARY KEY (id, "timestamp");


--
-- Name: idempotent_write_audit_log_2027_03 idempotent_write_audit_log_2027_03_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotent_write_audit_log_2027_03
    ADD CONSTRAINT idempotent_write_audit_log_2027_03_pkey PRIMARY KEY (id, "timestamp");


--
-- Name: idempotent_write_audit_log_default idempotent_write_audit_log_default_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotent_write_audit_log_default
    ADD CONSTRAINT idempotent_write_audit_log_default_pkey PRIMARY KEY (id, "timestamp");


--
-- Name: named_locks named_locks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.named_locks
    ADD CONSTRAINT named_locks_pkey PRIMARY KEY (tenant_id, name);


--
-- Name: tenants tenants_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tenants
    ADD CONSTRAINT tenants_pkey PRIMARY KEY (id);


--
-- Name: tenants tenants_token_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tenants
    ADD CONSTRAINT tenants_token_hash_key UNIQUE (token_hash);


--
-- Name: workflow_instances workflow_instances_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.workflow_instances
    ADD CONSTRAINT workflow_instances_pkey PRIMARY KEY (id);


--
-- Name: workflow_instances workflow_instances_trigger_entity_id_workflow_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.workflow_instances
    ADD CONSTRAINT workflow_instances_trigger_entity_id_workflow_name_key UNIQUE (trigger_entity_id, workflow_name);


--
-- Name: entities_account_code; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX entities_account_code ON public.entities USING btree ((((body)::jsonb ->> 'code'::text)), tenant_id) WHERE (kind = 'account'::text);


--
-- Name: entities_invoice_status; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX entities_invoice_status ON public.entities USING btree (parent_id, (((body)::jsonb ->> 'status'::text))) WHERE (kind = 'invoice'::text);


--
-- Name: entities_parent; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX entities_parent ON public.entities USING btree (parent_id);


--
-- Name: entities_tenant_kind; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX entities_tenant_kind ON public.entities USING btree (tenant_id, kind);


--
-- Name: entities_tenant_kind_parent; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX entities_tenant_kind_parent ON public.entities USING btree (tenant_id, kind, parent_id);


--
-- Name: entities_user_email; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX entities_user_email ON public.entities USING btree ((((body)::jsonb ->> 'email'::text)), tenant_id) WHERE (kind = 'user'::text);


--
-- Name: entities_user_role; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX entities_user_role ON public.entities USING btree ((((body)::jsonb ->> 'role'::text)), tenant_id) WHERE (kind = 'user'::text);


--
-- Name: idempotent_write_audit_log_company_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotent_write_audit_log_company_id ON ONLY public.idempotent_write_audit_log USING btree (company_id);


--
-- Name: idempotent_write_audit_log_2026_11_company_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotent_write_audit_log_2026_11_company_id_idx ON public.idempotent_write_audit_log_2026_11 USING btree (company_id);


--
-- Name: idempotent_write_audit_log_operation_name; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotent_write_audit_log_operation_name ON ONLY public.idempotent_write_audit_log USING btree (operation_name);


--
-- Name: idempotent_write_audit_log_2026_11_operation_name_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotent_write_audit_log_2026_11_operation_name_idx ON public.idempotent_write_audit_log_2026_11 USING btree (operation_name);


--
-- Name: idempotent_write_audit_log_status; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotent_write_audit_log_status ON ONLY public.idempotent_write_audit_log USING btree (status);


--
-- Name: idempotent_write_audit_log_2026_11_status_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotent_write_audit_log_2026_11_status_idx ON public.idempotent_write_audit_log_2026_11 USING btree (status);


--
-- Name: idempotent_write_audit_log_timestamp; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotent_write_audit_log_timestamp ON ONLY public.idempotent_write_audit_log USING btree ("timestamp");


--
-- Name: idempotent_write_audit_log_2026_11_timestamp_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotent_write_audit_log_2026_11_timestamp_idx ON public.idempotent_write_audit_log_2026_11 USING btree ("timestamp");


--
-- Name: idempotent_write_audit_log_2026_12_company_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotent_write_audit_log_2026_12_company_id_idx ON public.idempotent_write_audit_log_2026_12 USING btree (company_id);


--
-- Name: idempotent_write_audit_log_2026_12_operation_name_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotent_write_audit_log_2026_12_operation_name_idx ON public.idempotent_write_audit_log_2026_12 USING btree (operation_name);


--
-- Name: idempotent_write_audit_log_2026_12_status_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotent_write_audit_log_2026_12_status_idx ON public.idempotent_write_audit_log_2026_12 USING btree (status);


--
-- Name: idempotent_write_audit_log_2026_12_timestamp_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotent_write_audit_log_2026_12_timestamp_idx ON public.idempotent_write_audit_log_2026_12 USING btree ("timestamp");


--
-- Name: idempotent_write_audit_log_2027_01_company_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotent_write_audit_log_2027_01_company_id_idx ON public.idempotent_write_audit_log_2027_01 USING btree (company_id);


--
-- Name: idempotent_write_audit_log_2027_01_operation_name_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotent_write_audit_log_2027_01_operation_name_idx ON public.idempotent_write_audit_log_2027_01 USING btree (operation_name);


--
-- Name: idempotent_write_audit_log_2027_01_status_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotent_write_audit_log_2027_01_status_idx ON public.idempotent_write_audit_log_2027_01 USING btree (status);


--
-- Name: idempotent_write_audit_log_2027_01_timestamp_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotent_write_audit_log_2027_01_timestamp_idx ON public.idempotent_write_audit_log_2027_01 USING btree ("timestamp");


--
-- Name: idempotent_write_audit_log_2027_02_company_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotent_write_audit_log_2027_02_company_id_idx ON public.idempotent_write_audit_log_2027_02 USING btree (company_id);


--
-- Name: idempotent_write_audit_log_2027_02_operation_name_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotent_write_audit_log_2027_02_operation_name_idx ON public.idempotent_write_audit_log_2027_02 USING btree (operation_name);


--
-- Name: idempotent_write_audit_log_2027_02_status_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotent_write_audit_log_2027_02_status_idx ON public.idempotent_write_audit_log_2027_02 USING btree (status);


--
-- Name: idempotent_write_audit_log_2027_02_timestamp_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotent_write_audit_log_2027_02_timestamp_idx ON public.idempotent_write_audit_log_2027_02 USING btree ("timestamp");


--
-- Name: idempotent_write_audit_log_2027_03_company_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotent_write_audit_log_2027_03_company_id_idx ON public.idempotent_write_audit_log_2027_03 USING btree (company_id);


--
-- Name: idempotent_write_audit_log_2027_03_operation_name_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotent_write_audit_log_2027_03_operation_name_idx ON public.idempotent_write_audit_log_2027_03 USING btree (operation_name);


--
-- Name: idempotent_write_audit_log_2027_03_status_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotent_write_audit_log_2027_03_status_idx ON public.idempotent_write_audit_log_2027_03 USING btree (status);


--
-- Name: idempotent_write_audit_log_2027_03_timestamp_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotent_write_audit_log_2027_03_timestamp_idx ON public.idempotent_write_audit_log_2027_03 USING btree ("timestamp");


--
-- Name: idempotent_write_audit_log_archive_timestamp; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotent_write_audit_log_archive_timestamp ON public.idempotent_write_audit_log_archive USING btree ("timestamp");


--
-- Name: idempotent_write_audit_log_default_company_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotent_write_audit_log_default_company_id_idx ON public.idempotent_write_audit_log_default USING btree (company_id);


--
-- Name: idempotent_write_audit_log_default_operation_name_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotent_write_audit_log_default_operation_name_idx ON public.idempotent_write_audit_log_default USING btree (operation_name);


--
-- Name: idempotent_write_audit_log_default_status_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotent_write_audit_log_default_status_idx ON public.idempotent_write_audit_log_default USING btree (status);


--
-- Name: idempotent_write_audit_log_default_timestamp_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotent_write_audit_log_default_timestamp_idx ON public.idempotent_write_audit_log_default USING btree ("timestamp");


--
-- Name: workflow_instances_due; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX workflow_instances_due ON public.workflow_instances USING btree (status, next_attempt_at, created_at);


--
-- Name: workflow_instances_open; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX workflow_instances_open ON public.workflow_instances USING btree (created_at, id) WHERE (status = ANY (ARRAY['pending'::text, 'delivering'::text]));


--
-- Name: workflow_instances_status; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX workflow_instances_status ON public.workflow_instances USING btree (status);


--
-- Name: idempotent_write_audit_log_2026_11_company_id_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.idempotent_write_audit_log_company_id ATTACH PARTITION public.idempotent_write_audit_log_2026_11_company_id_idx;


--
-- Name: idempotent_write_audit_log_2026_11_operation_name_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.idempotent_write_audit_log_operation_name ATTACH PARTITION public.idempotent_write_audit_log_2026_11_operation_name_idx;


--
-- Name: idempotent_write_audit_log_2026_11_pkey; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.idempotent_write_audit_log_pkey1 ATTACH PARTITION public.idempotent_write_audit_log_2026_11_pkey;


--
-- Name: idempotent_write_audit_log_2026_11_status_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.idempotent_write_audit_log_status ATTACH PARTITION public.idempotent_write_audit_log_2026_11_status_idx;


--
-- Name: idempotent_write_audit_log_2026_11_timestamp_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.idempotent_write_audit_log_timestamp ATTACH PARTITION public.idempotent_write_audit_log_2026_11_timestamp_idx;


--
-- Name: idempotent_write_audit_log_2026_12_company_id_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.idempotent_write_audit_log_company_id ATTACH PARTITION public.idempotent_write_audit_log_2026_12_company_id_idx;


--
-- Name: idempotent_write_audit_log_2026_12_operation_name_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.idempotent_write_audit_log_operation_name ATTACH PARTITION public.idempotent_write_audit_log_2026_12_operation_name_idx;


--
-- Name: idempotent_write_audit_log_2026_12_pkey; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.idempotent_write_audit_log_pkey1 ATTACH PARTITION public.idempotent_write_audit_log_2026_12_pkey;


--
-- Name: idempotent_write_audit_log_2026_12_status_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.idempotent_write_audit_log_status ATTACH PARTITION public.idempotent_write_audit_log_2026_12_status_idx;


--
-- Name: idempotent_write_audit_log_2026_12_timestamp_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.idempotent_write_audit_log_timestamp ATTACH PARTITION public.idempotent_write_audit_log_2026_12_timestamp_idx;


--
-- Name: idempotent_write_audit_log_2027_01_company_id_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.idempotent_write_audit_log_company_id ATTACH PARTITION public.idempotent_write_audit_log_2027_01_company_id_idx;


--
-- Name: idempotent_write_audit_log_2027_01_operation_name_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.idempotent_write_audit_log_operation_name ATTACH PARTITION public.idempotent_write_audit_log_2027_01_operation_name_idx;


--
-- Name: idempotent_write_audit_log_2027_01_pkey; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.idempotent_write_audit_log_pkey1 ATTACH PARTITION public.idempotent_write_audit_log_2027_01_pkey;


--
-- Name: idempotent_write_audit_log_2027_01_status_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.idempotent_write_audit_log_status ATTACH PARTITION public.idempotent_write_audit_log_2027_01_status_idx;


--
-- Name: idempotent_write_audit_log_2027_01_timestamp_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.idempotent_write_audit_log_timestamp ATTACH PARTITION public.idempotent_write_audit_log_2027_01_timestamp_idx;


--
-- Name: idempotent_write_audit_log_2027_02_company_id_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.idempotent_write_audit_log_company_id ATTACH PARTITION public.idempotent_write_audit_log_2027_02_company_id_idx;


--
-- Name: idempotent_write_audit_log_2027_02_operation_name_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.idempotent_write_audit_log_operation_name ATTACH PARTITION public.idempotent_write_audit_log_2027_02_operation_name_idx;


--
-- Name: idempotent_write_audit_log_2027_02_pkey; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.idempotent_write_audit_log_pkey1 ATTACH PARTITION public.idempotent_write_audit_log_2027_02_pkey;


--
-- Name: idempotent_write_audit_log_2027_02_status_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.idempotent_write_audit_log_status ATTACH PARTITION public.idempotent_write_audit_log_2027_02_status_idx;


--
-- Name: idempotent_write_audit_log_2027_02_timestamp_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.idempotent_write_audit_log_timestamp ATTACH PARTITION public.idempotent_write_audit_log_2027_02_timestamp_idx;


--
-- Name: idempotent_write_audit_log_2027_03_company_id_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.idempotent_write_audit_log_company_id ATTACH PARTITION public.idempotent_write_audit_log_2027_03_company_id_idx;


--
-- Name: idempotent_write_audit_log_2027_03_operation_name_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.idempotent_write_audit_log_operation_name ATTACH PARTITION public.idempotent_write_audit_log_2027_03_operation_name_idx;


--
-- Name: idempotent_write_audit_log_2027_03_pkey; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.idempotent_write_audit_log_pkey1 ATTACH PARTITION public.idempotent_write_audit_log_2027_03_pkey;


--
-- Name: idempotent_write_audit_log_2027_03_status_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.idempotent_write_audit_log_status ATTACH PARTITION public.idempotent_write_audit_log_2027_03_status_idx;


--
-- Name: idempotent_write_audit_log_2027_03_timestamp_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.idempotent_write_audit_log_timestamp ATTACH PARTITION public.idempotent_write_audit_log_2027_03_timestamp_idx;


--
-- Name: idempotent_write_audit_log_default_company_id_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.idempotent_write_audit_log_company_id ATTACH PARTITION public.idempotent_write_audit_log_default_company_id_idx;


--
-- Name: idempotent_write_audit_log_default_operation_name_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.idempotent_write_audit_log_operation_name ATTACH PARTITION public.idempotent_write_audit_log_default_operation_name_idx;


--
-- Name: idempotent_write_audit_log_default_pkey; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.idempotent_write_audit_log_pkey1 ATTACH PARTITION public.idempotent_write_audit_log_default_pkey;


--
-- Name: idempotent_write_audit_log_default_status_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.idempotent_write_audit_log_status ATTACH PARTITION public.idempotent_write_audit_log_default_status_idx;


--
-- Name: idempotent_write_audit_log_default_timestamp_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.idempotent_write_audit_log_timestamp ATTACH PARTITION public.idempotent_write_audit_log_default_timestamp_idx;


--
-- Name: entities entities_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.entities
    ADD CONSTRAINT entities_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);


--
-- Name: idempotency_keys idempotency_keys_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotency_keys
    ADD CONSTRAINT idempotency_keys_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);


--
-- Name: named_locks named_locks_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.named_locks
    ADD CONSTRAINT named_locks_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);


--
-- Name: workflow_instances workflow_instances_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.workflow_instances
    ADD CONSTRAINT workflow_instances_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);


--
-- PostgreSQL database dump complete
--

\unrestrict 1J89pc2RVfmcgn2yAyI4Ig00EIAk9vZ1VquvIxX0akUu5wxUTwMk1apzMJORUD7

