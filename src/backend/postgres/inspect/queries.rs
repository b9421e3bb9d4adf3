//! The catalog queries, one per object kind. Each takes the inspected schemas as `$1` (`text[]`)
//! and casts every name to `text` so that rows decode into plain strings.

/// The schemas to inspect: those named in `$1`, or every non-system schema when `$1` is empty.
/// It also makes `public` the search path for [`VIEWS`], so that the view definitions name
/// every table outside `public` with its schema, as SQL for a fixed schema writes them.
pub(super) const SCHEMAS: &str = r#"
SELECT n.nspname::text AS name,
       obj_description(n.oid, 'pg_namespace') AS comment
FROM pg_namespace n
CROSS JOIN (SELECT set_config('search_path', 'public', true)) AS path
WHERE CASE WHEN cardinality($1::text[]) = 0
           THEN n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
                AND NOT EXISTS (SELECT 1 FROM pg_depend d
                                WHERE d.classid = 'pg_namespace'::regclass
                                  AND d.objid = n.oid AND d.deptype = 'e')
           ELSE n.nspname = ANY($1) END
ORDER BY 1
"#;

/// The `WHEN` arm that makes the row's schema (then `public`, where extensions usually live)
/// the search path before the arm after it prints an expression, so that names inside that
/// schema print unqualified — as a connection of that one schema reads them, whichever other
/// schemas the same inspection reads. Rows come sorted by schema, and the volatile `set_config`
/// is evaluated after the sort, so the path changes once per schema, not once per row.
macro_rules! own_schema_path {
    () => {
        "WHEN current_setting('search_path') <> quote_ident(n.nspname) || ', public'
                 AND set_config('search_path', quote_ident(n.nspname) || ', public', true) IS NULL
            THEN NULL"
    };
}

/// Tables (not partitions, not members of an extension) with their comments.
pub(super) const TABLES: &str = r#"
SELECT n.nspname::text AS schema, c.relname::text AS name,
       obj_description(c.oid, 'pg_class') AS comment
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY($1)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2
"#;

/// Columns in declaration order. A user type (enum, domain, composite — not one an extension
/// brings) is named by its schema and name rather than `format_type`, whose qualification would
/// depend on the search path; `owned_*` describe the sequence behind an identity or serial column,
/// found in one derived table of the sequences columns own (an identity's before a serial's)
/// rather than by a lookup per column.
pub(super) const COLUMNS: &str = concat!(
    r#"
SELECT n.nspname::text AS schema, c.relname::text AS table_name, a.attname::text AS name,
       CASE "#,
    own_schema_path!(),
    r#"
            ELSE format_type(a.atttypid, a.atttypmod) END AS formatted_type,
       CASE WHEN bt.typnamespace <> 'pg_catalog'::regnamespace
                 AND bn.nspname <> 'information_schema'
                 AND NOT EXISTS (SELECT 1 FROM pg_depend d
                                 WHERE d.classid = 'pg_type'::regclass AND d.objid = bt.oid
                                   AND d.deptype = 'e')
            THEN bn.nspname::text END AS user_type_schema,
       quote_ident(bt.typname) AS user_type_name,
       (bt.oid <> t.oid) AS is_array,
       NOT a.attnotnull AS nullable,
       CASE WHEN a.attgenerated <> '' OR ad.adbin IS NULL THEN NULL "#,
    own_schema_path!(),
    r#"
            ELSE pg_get_expr(ad.adbin, ad.adrelid) END AS default_expr,
       CASE WHEN a.attgenerated <> 's' OR ad.adbin IS NULL THEN NULL "#,
    own_schema_path!(),
    r#"
            ELSE pg_get_expr(ad.adbin, ad.adrelid) END AS generated_expr,
       a.attidentity::text AS identity,
       owned.start AS identity_start, owned.increment AS identity_increment,
       CASE WHEN a.attidentity <> '' OR owned.deptype IS DISTINCT FROM 'a'
                 OR owned.type_oid <> a.atttypid OR ad.adbin IS NULL THEN NULL "#,
    own_schema_path!(),
    r#"
            WHEN pg_get_expr(ad.adbin, ad.adrelid)
                 = 'nextval(' || quote_literal(owned.oid::regclass::text) || '::regclass)'
            THEN CASE a.atttypid WHEN 'int2'::regtype THEN 'smallserial'
                                 WHEN 'int4'::regtype THEN 'serial'
                                 WHEN 'int8'::regtype THEN 'bigserial' END
       END AS serial_type,
       owned.schema AS owned_sequence_schema, owned.name AS owned_sequence_name,
       CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation
            THEN CASE WHEN co.collnamespace = 'pg_catalog'::regnamespace THEN co.collname::text
                      ELSE con.nspname || '.' || co.collname END
       END AS collation,
       col_description(c.oid, a.attnum) AS comment
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_type bt ON bt.oid = CASE WHEN t.typcategory = 'A' AND t.typelem <> 0
                                 THEN t.typelem ELSE t.oid END
JOIN pg_namespace bn ON bn.oid = bt.typnamespace
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_collation co ON co.oid = a.attcollation
LEFT JOIN pg_namespace con ON con.oid = co.collnamespace
LEFT JOIN (
    SELECT DISTINCT ON (d.refobjid, d.refobjsubid)
           d.refobjid AS table_oid, d.refobjsubid AS column_number,
           s.seqrelid AS oid, sn.nspname::text AS schema, sc.relname::text AS name,
           s.seqtypid AS type_oid, s.seqstart AS start, s.seqincrement AS increment,
           d.deptype::text AS deptype
    FROM pg_sequence s
    JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.seqrelid
                    AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
    JOIN pg_class sc ON sc.oid = s.seqrelid
    JOIN pg_namespace sn ON sn.oid = sc.relnamespace
    ORDER BY d.refobjid, d.refobjsubid, d.deptype DESC
) owned ON owned.table_oid = c.oid AND owned.column_number = a.attnum
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY($1)
  AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY 1, 2, a.attnum
"#
);

/// Primary keys, uniques, checks and foreign keys, with column names in key order.
/// `indnullsnotdistinct` is read through `to_jsonb` so that servers before 15 (which lack the
/// column) answer NULL instead of failing.
pub(super) const CONSTRAINTS: &str = concat!(
    r#"
SELECT n.nspname::text AS schema, c.relname::text AS table_name, k.conname::text AS name,
       k.contype::text AS kind,
       ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY u(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum
             ORDER BY u.ord) AS columns,
       rn.nspname::text AS ref_schema, rc.relname::text AS ref_table,
       ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY u(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.attnum
             ORDER BY u.ord) AS ref_columns,
       k.confupdtype::text AS on_update, k.confdeltype::text AS on_delete,
       k.condeferrable AS deferrable, k.condeferred AS initially_deferred,
       k.connoinherit AS no_inherit,
       CASE WHEN k.contype <> 'c' THEN NULL "#,
    own_schema_path!(),
    r#"
            ELSE pg_get_expr(k.conbin, k.conrelid, true) END AS check_expr,
       coalesce((to_jsonb(ix) ->> 'indnullsnotdistinct')::boolean, false) AS nulls_not_distinct
FROM pg_constraint k
JOIN pg_class c ON c.oid = k.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class rc ON rc.oid = k.confrelid
LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
LEFT JOIN pg_index ix ON ix.indexrelid = k.conindid AND k.contype = 'u'
WHERE k.contype IN ('p', 'u', 'c', 'f') AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND n.nspname = ANY($1)
ORDER BY 1, 2, 3
"#
);

/// Indexes that back no constraint, one row per key or INCLUDE column in position order.
/// Ordering, operator class and collation are read per key from `indoption`, `indclass` and
/// `indcollation` (which only cover key columns); an expression key's text comes from
/// `pg_get_indexdef` with its column number.
pub(super) const INDEXES: &str = concat!(
    r#"
SELECT n.nspname::text AS schema, c.relname::text AS table_name, ic.relname::text AS name,
       am.amname::text AS method, ix.indisunique AS is_unique,
       coalesce((to_jsonb(ix) ->> 'indnullsnotdistinct')::boolean, false) AS nulls_not_distinct,
       CASE WHEN ix.indpred IS NULL THEN NULL "#,
    own_schema_path!(),
    r#"
            ELSE pg_get_expr(ix.indpred, ix.indrelid, true) END AS predicate,
       (k.ord <= ix.indnkeyatts) AS is_key,
       a.attname::text AS column_name,
       CASE WHEN k.attnum <> 0 THEN NULL "#,
    own_schema_path!(),
    r#"
            ELSE pg_get_indexdef(ix.indexrelid, k.ord::int4, true) END AS expression,
       CASE WHEN ix.indcollation[k.ord - 1] NOT IN (0, coalesce(a.attcollation, 0))
                 AND (a.attnum IS NOT NULL OR ix.indcollation[k.ord - 1] <> 100)
            THEN CASE WHEN co.collnamespace = 'pg_catalog'::regnamespace THEN co.collname::text
                      ELSE con.nspname || '.' || co.collname END
       END AS collation,
       CASE WHEN NOT opc.opcdefault THEN opc.opcname::text END AS opclass,
       coalesce(ix.indoption[k.ord - 1] & 1 = 1, false) AS descending,
       coalesce(ix.indoption[k.ord - 1] & 2 = 2, false) AS nulls_first
FROM pg_index ix
JOIN pg_class ic ON ic.oid = ix.indexrelid
JOIN pg_class c ON c.oid = ix.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_am am ON am.oid = ic.relam
CROSS JOIN LATERAL unnest(ix.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum AND k.attnum > 0
LEFT JOIN pg_opclass opc ON opc.oid = ix.indclass[k.ord - 1]
LEFT JOIN pg_collation co ON co.oid = ix.indcollation[k.ord - 1]
LEFT JOIN pg_namespace con ON con.oid = co.collnamespace
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY($1)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k2
                  WHERE k2.conindid = ix.indexrelid AND k2.contype IN ('p', 'u', 'x'))
ORDER BY 1, 2, 3, k.ord
"#
);

/// Enums (not an extension's) with their labels in sort order.
pub(super) const ENUMS: &str = r#"
SELECT n.nspname::text AS schema, t.typname::text AS name,
       ARRAY(SELECT e.enumlabel::text FROM pg_enum e
             WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS labels,
       obj_description(t.oid, 'pg_type') AS comment
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'e' AND n.nspname = ANY($1)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
ORDER BY 1, 2
"#;

/// Views and materialized views (not an extension's) with their definitions.
pub(super) const VIEWS: &str = r#"
SELECT n.nspname::text AS schema, c.relname::text AS name,
       pg_get_viewdef(c.oid, true) AS definition,
       (c.relkind = 'm') AS materialized,
       obj_description(c.oid, 'pg_class') AS comment
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm') AND n.nspname = ANY($1)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2
"#;

/// Sequences other than an identity column's, with the column that owns them, if any.
pub(super) const SEQUENCES: &str = r#"
SELECT n.nspname::text AS schema, c.relname::text AS name,
       format_type(s.seqtypid, NULL) AS data_type,
       s.seqstart AS start, s.seqincrement AS increment, s.seqmin AS min_value,
       s.seqmax AS max_value, s.seqcache AS cache, s.seqcycle AS cycle,
       oc.relname::text AS owner_table, oa.attname::text AS owner_column
FROM pg_sequence s
JOIN pg_class c ON c.oid = s.seqrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
                     AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
LEFT JOIN pg_class oc ON oc.oid = d.refobjid
LEFT JOIN pg_attribute oa ON oa.attrelid = d.refobjid AND oa.attnum = d.refobjsubid
WHERE n.nspname = ANY($1) AND (d.deptype IS NULL OR d.deptype = 'a')
  AND NOT EXISTS (SELECT 1 FROM pg_depend e
                  WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
ORDER BY 1, 2
"#;

/// Installed extensions (database-wide, so `$1` is not used), except `plpgsql`, which every
/// database has.
pub(super) const EXTENSIONS: &str = r#"
SELECT e.extname::text AS name, n.nspname::text AS schema
FROM pg_extension e
JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname <> 'plpgsql'
ORDER BY 1
"#;

/// Functions and procedures (not aggregates or window functions, not members of an extension),
/// with the argument list and result printed with the routine's own schema on the search path.
pub(super) const FUNCTIONS: &str = concat!(
    r#"
SELECT n.nspname::text AS schema, p.proname::text AS name, p.prokind::text AS kind,
       CASE "#,
    own_schema_path!(),
    r#"
            ELSE pg_get_function_arguments(p.oid) END AS arguments,
       CASE "#,
    own_schema_path!(),
    r#"
            ELSE pg_get_function_result(p.oid) END AS result,
       l.lanname::text AS language, p.prosrc AS body,
       p.provolatile::text AS volatility, p.proisstrict AS strict,
       p.prosecdef AS security_definer, p.proleakproof AS leakproof,
       p.proparallel::text AS parallel, p.procost AS cost, p.prorows AS rows,
       p.proconfig::text[] AS config,
       obj_description(p.oid, 'pg_proc') AS comment
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_language l ON l.oid = p.prolang
WHERE n.nspname = ANY($1) AND p.prokind IN ('f', 'p')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
ORDER BY 1, 2, 4
"#
);

/// Triggers users created (not the internal ones behind foreign keys, not the clones a
/// partition gets from its parent), as `pg_get_triggerdef` prints them with the table's own
/// schema on the search path.
pub(super) const TRIGGERS: &str = concat!(
    r#"
SELECT n.nspname::text AS schema, c.relname::text AS table_name, t.tgname::text AS name,
       CASE "#,
    own_schema_path!(),
    r#"
            ELSE pg_get_triggerdef(t.oid) END AS definition,
       obj_description(t.oid, 'pg_trigger') AS comment
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND n.nspname = ANY($1)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2, 3
"#
);

/// Domains (not an extension's) with their base type (a user type named by schema and name, as
/// for columns), default, NOT NULL, collation other than the base type's, comment, and checks
/// as two arrays in name order. Expressions print with the domain's schema as the search path.
pub(super) const DOMAINS: &str = concat!(
    r#"
SELECT n.nspname::text AS schema, t.typname::text AS name,
       CASE "#,
    own_schema_path!(),
    r#"
            ELSE format_type(t.typbasetype, t.typtypmod) END AS formatted_type,
       CASE WHEN bt.typnamespace <> 'pg_catalog'::regnamespace
                 AND bn.nspname <> 'information_schema'
                 AND NOT EXISTS (SELECT 1 FROM pg_depend d
                                 WHERE d.classid = 'pg_type'::regclass AND d.objid = bt.oid
                                   AND d.deptype = 'e')
            THEN bn.nspname::text END AS user_type_schema,
       quote_ident(bt.typname) AS user_type_name,
       (bt.oid <> b.oid) AS is_array,
       t.typnotnull AS not_null,
       CASE WHEN t.typdefaultbin IS NULL THEN NULL "#,
    own_schema_path!(),
    r#"
            ELSE pg_get_expr(t.typdefaultbin, 0, true) END AS default_expr,
       CASE WHEN t.typcollation <> 0 AND t.typcollation <> b.typcollation
            THEN CASE WHEN co.collnamespace = 'pg_catalog'::regnamespace THEN co.collname::text
                      ELSE con.nspname || '.' || co.collname END
       END AS collation,
       obj_description(t.oid, 'pg_type') AS comment,
       ARRAY(SELECT k.conname::text FROM pg_constraint k
             WHERE k.contypid = t.oid AND k.contype = 'c' ORDER BY k.conname) AS check_names,
       CASE "#,
    own_schema_path!(),
    r#"
            ELSE ARRAY(SELECT pg_get_expr(k.conbin, 0, true) FROM pg_constraint k
                       WHERE k.contypid = t.oid AND k.contype = 'c' ORDER BY k.conname)
       END AS check_exprs
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_type b ON b.oid = t.typbasetype
JOIN pg_type bt ON bt.oid = CASE WHEN b.typcategory = 'A' AND b.typelem <> 0
                                 THEN b.typelem ELSE b.oid END
JOIN pg_namespace bn ON bn.oid = bt.typnamespace
LEFT JOIN pg_collation co ON co.oid = t.typcollation
LEFT JOIN pg_namespace con ON con.oid = co.collnamespace
WHERE t.typtype = 'd' AND n.nspname = ANY($1)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
ORDER BY 1, 2
"#
);
