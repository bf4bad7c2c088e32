-- The raw layer: the contract between sources/ (which writes it) and dbt_project/ (which reads it).
-- One table per source. Values are already normalised (NFKC text, parsed numbers, dates and years)
-- and named with the contract's English column names; every row keeps where it came from.
-- Rows that failed a key-field rule are not here: they are in audit.quarantine.
--
-- Provenance columns shared by every raw table:
--   source_file    landing-relative path as landed, e.g. 'pilots/310000_2023_b1_首批名单.tsv'
--   file_hash      sha256 of the file's bytes (its name in the archive)
--   sheet          xlsx sheet name, NULL for csv/tsv
--   row_number     1-based row of the file/sheet as a person sees it in Excel or an editor
--                  (header and title rows counted), so messages can point at it
--   file_mtime     the file's modification time when it was first archived ("later file" order)
--   loaded_at      when this build parsed the file
--   superseded_by  NULL while the row is current; else the file_hash of the file that replaced it
--                  (a resubmitted pilot list for the same locality/year/batch, or a newer version
--                  of the same landing path). Staging keeps only superseded_by IS NULL.
--   extra          JSON object of the columns the contract does not name, {header: text}

CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS audit;

CREATE TABLE IF NOT EXISTS raw.registers (
    uscc                   VARCHAR NOT NULL,  -- 18 chars, check digit valid, upper case
    name                   VARCHAR NOT NULL,  -- display name (NFKC, trimmed)
    name_key               VARCHAR NOT NULL,  -- matching key: no whitespace, unified brackets
    qualification          VARCHAR NOT NULL,  -- ip_demonstration | ip_advantage | little_giant
    recognized_year        INTEGER NOT NULL,
    revoked_year           INTEGER,
    locality_code          VARCHAR NOT NULL,  -- explicit column if given, else derived from USCC
    locality_code_derived  VARCHAR,           -- from the USCC (NULL when not derivable)
    locality_flag          BOOLEAN NOT NULL,  -- explicit locality disagrees with the USCC
    source_file VARCHAR NOT NULL, file_hash VARCHAR NOT NULL, sheet VARCHAR, row_number INTEGER NOT NULL,
    file_mtime TIMESTAMP, loaded_at TIMESTAMP NOT NULL, superseded_by VARCHAR, extra JSON
);

CREATE TABLE IF NOT EXISTS raw.pilots (
    name                   VARCHAR NOT NULL,
    name_key               VARCHAR NOT NULL,
    uscc                   VARCHAR,           -- NULL when the list gives none (matched by name later)
    seq                    INTEGER,
    category               VARCHAR[],         -- split on 、,，;；
    district               VARCHAR,
    locality_code          VARCHAR NOT NULL,  -- the list's locality (column, else file name)
    year                   INTEGER NOT NULL,
    batch                  INTEGER NOT NULL,
    submitted_on           DATE,
    source_file VARCHAR NOT NULL, file_hash VARCHAR NOT NULL, sheet VARCHAR, row_number INTEGER NOT NULL,
    file_mtime TIMESTAMP, loaded_at TIMESTAMP NOT NULL, superseded_by VARCHAR, extra JSON
);

CREATE TABLE IF NOT EXISTS raw.assessments (
    uscc                   VARCHAR NOT NULL,
    kind                   VARCHAR NOT NULL,  -- initial | annual | graded
    assessed_on            DATE NOT NULL,
    total_score            DOUBLE NOT NULL,   -- 0–100
    foundation_score       DOUBLE,
    strategy_score         DOUBLE,
    process_score          DOUBLE,
    results_score          DOUBLE,
    grade                  INTEGER,           -- 1–5
    evaluator              VARCHAR,
    source_file VARCHAR NOT NULL, file_hash VARCHAR NOT NULL, sheet VARCHAR, row_number INTEGER NOT NULL,
    file_mtime TIMESTAMP, loaded_at TIMESTAMP NOT NULL, superseded_by VARCHAR, extra JSON
);

CREATE TABLE IF NOT EXISTS raw.filings (
    uscc                          VARCHAR NOT NULL,
    year                          INTEGER NOT NULL,
    submitted_on                  DATE,
    revenue                       DOUBLE,   -- 万元
    rd_expense                    DOUBLE,   -- 万元
    invention_applications        DOUBLE,   -- counts are whole numbers, stored as DOUBLE for ratios
    invention_grants              DOUBLE,
    valid_invention_patents       DOUBLE,
    high_value_invention_patents  DOUBLE,
    pct_applications              DOUBLE,
    trademark_registrations       DOUBLE,
    ip_staff                      DOUBLE,
    ip_budget                     DOUBLE,   -- 万元
    ip_transaction_income         DOUBLE,   -- 万元
    ip_pledge_financing           DOUBLE,   -- 万元
    patent_product_revenue        DOUBLE,   -- 万元
    source_file VARCHAR NOT NULL, file_hash VARCHAR NOT NULL, sheet VARCHAR, row_number INTEGER NOT NULL,
    file_mtime TIMESTAMP, loaded_at TIMESTAMP NOT NULL, superseded_by VARCHAR, extra JSON
);

-- One row per source file seen by this build (metrics.md, "Audit").
CREATE TABLE IF NOT EXISTS audit.loads (
    path              VARCHAR NOT NULL,   -- landing-relative path
    content_hash      VARCHAR NOT NULL,
    source            VARCHAR,            -- registers | pilots | assessments | filings
    format            VARCHAR,            -- csv | tsv | xlsx | NULL (unknown)
    encoding          VARCHAR,            -- utf-8 | utf-8-sig | gb18030 | NULL (xlsx, rejected)
    rows_read         INTEGER NOT NULL,
    rows_loaded       INTEGER NOT NULL,
    rows_quarantined  INTEGER NOT NULL,
    status            VARCHAR NOT NULL,   -- loaded | duplicate | superseded | rejected
    reason            VARCHAR,
    loaded_at         TIMESTAMP NOT NULL,
    file_mtime        TIMESTAMP,
    archived_at       TIMESTAMP,          -- when the bytes first entered the archive
    sheets            VARCHAR[]           -- xlsx sheets that matched the header
);

-- One row per quarantined row.
CREATE TABLE IF NOT EXISTS audit.quarantine (
    source      VARCHAR NOT NULL,
    file        VARCHAR NOT NULL,   -- landing-relative path
    file_hash   VARCHAR NOT NULL,
    sheet       VARCHAR,
    row_number  INTEGER NOT NULL,
    "column"    VARCHAR NOT NULL,   -- the contract's column name
    value       VARCHAR,            -- the cell as found
    reason      VARCHAR NOT NULL,   -- what was expected, in words
    raw_row     JSON NOT NULL,      -- the whole row as found, {header: text}
    locality_code VARCHAR           -- the row's locality as far as it can be told (list locality, valid
                                    -- locality cell, else valid USCC), for counts per locality; else NULL
);
