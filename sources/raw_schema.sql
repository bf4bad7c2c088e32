-- The raw layer and its audit tables: generated from catalogue/ by `python -m pilotdw.catalogue.generate` (make catalogue): edit the catalogue, not this file.
--
-- The raw layer: the contract between sources/ (which writes it) and dbt_project/ (which reads it).
-- One table per source. Values are already normalised (NFKC text, parsed numbers, dates and years)
-- and named with the contract's English column names; every row keeps where it came from
-- (source_file, file_hash, sheet, row_number, file_mtime, loaded_at, superseded_by, extra).
-- Rows that failed a key-field rule are not here: they are in audit.quarantine.

CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS audit;

-- raw.registers: 国家资质名录 / national qualification registers (ip_demonstration, ip_advantage, little_giant): who is eligible.
CREATE TABLE IF NOT EXISTS raw.registers (
    uscc                   VARCHAR NOT NULL,       -- unified social credit code, 18 characters, check digit valid
    name                   VARCHAR NOT NULL,       -- display name (NFKC, trimmed)
    name_key               VARCHAR NOT NULL,       -- normalised name for matching (no whitespace, unified brackets)
    qualification          VARCHAR NOT NULL,       -- ip_demonstration | ip_advantage | little_giant
    recognized_year        INTEGER NOT NULL,       -- year of recognition
    revoked_year           INTEGER,                -- qualification no longer held from that year on
    locality_code          VARCHAR NOT NULL,       -- explicit locality, else derived from the USCC
    locality_code_derived  VARCHAR,                -- from the USCC (NULL when not derivable)
    locality_flag          BOOLEAN NOT NULL,       -- explicit locality disagrees with the USCC
    source_file            VARCHAR NOT NULL,       -- landing-relative path as landed, e.g. 'pilots/310000_2023_b1_首批名单.tsv'
    file_hash              VARCHAR NOT NULL,       -- sha256 of the file's bytes (its name in the archive)
    sheet                  VARCHAR,                -- xlsx sheet name, NULL for csv/tsv
    row_number             INTEGER NOT NULL,       -- 1-based row of the file/sheet as a person sees it in Excel or an editor (header and title rows counted), so messages can point at it
    file_mtime             TIMESTAMP,              -- the file's modification time when it was first archived ("later file" order)
    loaded_at              TIMESTAMP NOT NULL,     -- when this build parsed the file
    superseded_by          VARCHAR,                -- NULL while current, else the file_hash that replaced the row
    extra                  JSON                    -- JSON object of the columns the contract does not name, {header: text}
);

-- raw.pilots: 试点名单 / pilot batch lists as each locality submits them; resubmitted lists mark the earlier rows superseded_by.
CREATE TABLE IF NOT EXISTS raw.pilots (
    name           VARCHAR NOT NULL,       -- name as listed (NFKC, trimmed)
    name_key       VARCHAR NOT NULL,       -- normalised name for matching
    uscc           VARCHAR,                -- NULL when the list gives none (matched by name downstream)
    seq            INTEGER,                -- sequence number on the list
    category       VARCHAR[],              -- split on 、,，;；
    district       VARCHAR,                -- district
    locality_code  VARCHAR NOT NULL,       -- the list's locality
    year           INTEGER NOT NULL,       -- list year
    batch          INTEGER NOT NULL,       -- batch number within the year
    submitted_on   DATE,                   -- submission date of the list, NULL if not given
    source_file    VARCHAR NOT NULL,       -- landing-relative path as landed, e.g. 'pilots/310000_2023_b1_首批名单.tsv'
    file_hash      VARCHAR NOT NULL,       -- sha256 of the file's bytes (its name in the archive)
    sheet          VARCHAR,                -- xlsx sheet name, NULL for csv/tsv
    row_number     INTEGER NOT NULL,       -- 1-based row of the file/sheet as a person sees it in Excel or an editor (header and title rows counted), so messages can point at it
    file_mtime     TIMESTAMP,              -- the file's modification time when it was first archived ("later file" order)
    loaded_at      TIMESTAMP NOT NULL,     -- when this build parsed the file
    superseded_by  VARCHAR,                -- NULL while the row is current; else the file_hash of the file that replaced it (a resubmitted pilot list for the same locality/year/batch, or a newer version of the same landing path). Staging keeps only superseded_by IS NULL.
    extra          JSON                    -- JSON object of the columns the contract does not name, {header: text}
);

-- raw.assessments: 测评 / initial assessments, annual re-assessments and graded evaluations, scores 0–100.
CREATE TABLE IF NOT EXISTS raw.assessments (
    uscc              VARCHAR NOT NULL,       -- unified social credit code
    kind              VARCHAR NOT NULL,       -- initial | annual | graded
    assessed_on       DATE NOT NULL,          -- assessment date
    total_score       DOUBLE PRECISION NOT NULL,  -- total score 0–100
    foundation_score  DOUBLE PRECISION,       -- foundation module (ISO 56005 clause 4), 0–100
    strategy_score    DOUBLE PRECISION,       -- IP strategy module (clause 5), 0–100
    process_score     DOUBLE PRECISION,       -- innovation-process module (clause 6), 0–100
    results_score     DOUBLE PRECISION,       -- results module, 0–100
    grade             INTEGER,                -- 1–5
    evaluator         VARCHAR,                -- the assessing body, as written
    source_file       VARCHAR NOT NULL,       -- landing-relative path as landed, e.g. 'pilots/310000_2023_b1_首批名单.tsv'
    file_hash         VARCHAR NOT NULL,       -- sha256 of the file's bytes (its name in the archive)
    sheet             VARCHAR,                -- xlsx sheet name, NULL for csv/tsv
    row_number        INTEGER NOT NULL,       -- 1-based row of the file/sheet as a person sees it in Excel or an editor (header and title rows counted), so messages can point at it
    file_mtime        TIMESTAMP,              -- the file's modification time when it was first archived ("later file" order)
    loaded_at         TIMESTAMP NOT NULL,     -- when this build parsed the file
    superseded_by     VARCHAR,                -- NULL while the row is current; else the file_hash of the file that replaced it (a resubmitted pilot list for the same locality/year/batch, or a newer version of the same landing path). Staging keeps only superseded_by IS NULL.
    extra             JSON                    -- JSON object of the columns the contract does not name, {header: text}
);

-- raw.filings: 年度数据填报 / annual IP and innovation data, one row per enterprise, data year and submission.
CREATE TABLE IF NOT EXISTS raw.filings (
    uscc                          VARCHAR NOT NULL,       -- unified social credit code
    year                          INTEGER NOT NULL,       -- the year the figures describe
    submitted_on                  DATE,                   -- submission date
    revenue                       DOUBLE PRECISION,       -- Operating revenue in the data year (万元; NULL: not reported, never 0)
    rd_expense                    DOUBLE PRECISION,       -- R&D expenditure in the data year (万元; NULL: not reported, never 0)
    invention_applications        DOUBLE PRECISION,       -- Invention patent applications in the data year (件; NULL: not reported, never 0)
    invention_grants              DOUBLE PRECISION,       -- Invention patents granted in the data year (件; NULL: not reported, never 0)
    valid_invention_patents       DOUBLE PRECISION,       -- Valid invention patents held in the data year (件; NULL: not reported, never 0)
    high_value_invention_patents  DOUBLE PRECISION,       -- high-value invention patents held at the end of the data year
    pct_applications              DOUBLE PRECISION,       -- PCT international applications in the data year (件; NULL: not reported, never 0)
    trademark_registrations       DOUBLE PRECISION,       -- Trademark registrations in the data year (件; NULL: not reported, never 0)
    ip_staff                      DOUBLE PRECISION,       -- Full-time IP staff in the data year (人; NULL: not reported, never 0)
    ip_budget                     DOUBLE PRECISION,       -- IP budget in the data year (万元; NULL: not reported, never 0)
    ip_transaction_income         DOUBLE PRECISION,       -- IP licensing and transfer income in the data year (万元; NULL: not reported, never 0)
    ip_pledge_financing           DOUBLE PRECISION,       -- IP pledge financing in the data year (万元; NULL: not reported, never 0)
    patent_product_revenue        DOUBLE PRECISION,       -- Patent-product sales revenue in the data year (万元; NULL: not reported, never 0)
    source_file                   VARCHAR NOT NULL,       -- landing-relative path as landed, e.g. 'pilots/310000_2023_b1_首批名单.tsv'
    file_hash                     VARCHAR NOT NULL,       -- sha256 of the file's bytes (its name in the archive)
    sheet                         VARCHAR,                -- xlsx sheet name, NULL for csv/tsv
    row_number                    INTEGER NOT NULL,       -- 1-based row of the file/sheet as a person sees it in Excel or an editor (header and title rows counted), so messages can point at it
    file_mtime                    TIMESTAMP,              -- the file's modification time when it was first archived ("later file" order)
    loaded_at                     TIMESTAMP NOT NULL,     -- when this build parsed the file
    superseded_by                 VARCHAR,                -- NULL while the row is current; else the file_hash of the file that replaced it (a resubmitted pilot list for the same locality/year/batch, or a newer version of the same landing path). Staging keeps only superseded_by IS NULL.
    extra                         JSON                    -- JSON object of the columns the contract does not name, {header: text}
);

-- audit.loads: 加载记录 / one row per source file seen: hash, format, encoding, rows read/loaded/quarantined, status (loaded, duplicate, superseded, rejected), reason.
CREATE TABLE IF NOT EXISTS audit.loads (
    path              VARCHAR NOT NULL,       -- landing-relative path
    content_hash      VARCHAR NOT NULL,       -- sha256 of the file's bytes (its name in the archive)
    source            VARCHAR,                -- registers | pilots | assessments | filings
    format            VARCHAR,                -- csv | tsv | xlsx | NULL (unknown)
    encoding          VARCHAR,                -- utf-8 | utf-8-sig | gb18030 | NULL (xlsx, rejected)
    rows_read         INTEGER NOT NULL,       -- data rows read from the file
    rows_loaded       INTEGER NOT NULL,       -- rows written to the raw table
    rows_quarantined  INTEGER NOT NULL,       -- rows written to audit.quarantine instead
    status            VARCHAR NOT NULL,       -- loaded | duplicate | superseded | rejected
    reason            VARCHAR,                -- why the file was rejected, superseded or skipped, in words
    loaded_at         TIMESTAMP NOT NULL,     -- when this build parsed the file
    file_mtime        TIMESTAMP,              -- the file's modification time when it was first archived ("later file" order)
    archived_at       TIMESTAMP,              -- when the bytes first entered the archive
    sheets            VARCHAR[]               -- xlsx sheets that matched the header
);

-- audit.quarantine: 隔离行 / one row per quarantined row: source, file, row number, column, value, reason, raw row as JSON.
CREATE TABLE IF NOT EXISTS audit.quarantine (
    source         VARCHAR NOT NULL,       -- registers | pilots | assessments | filings
    file           VARCHAR NOT NULL,       -- landing-relative path
    file_hash      VARCHAR NOT NULL,       -- sha256 of the file's bytes (its name in the archive)
    sheet          VARCHAR,                -- xlsx sheet name, NULL for csv/tsv
    row_number     INTEGER NOT NULL,       -- 1-based row of the file/sheet as a person sees it in Excel or an editor (header and title rows counted), so messages can point at it
    "column"       VARCHAR NOT NULL,       -- the contract's column name
    value          VARCHAR,                -- the cell as found
    reason         VARCHAR NOT NULL,       -- what was expected, in words
    raw_row        JSON NOT NULL,          -- the whole row as found, {header: text}
    locality_code  VARCHAR                 -- the row's locality as far as it can be told (list locality, valid locality cell, else valid USCC), for counts per locality; else NULL
);
