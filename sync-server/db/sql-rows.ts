import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';

/**
 * Many rows as one query parameter: `jsonb_to_recordset($1) as <alias>(<columns>)`.
 * One parameter instead of one per value keeps the statement text the same for every
 * batch size, so it can be prepared once per connection and reused (see `prepared`), and
 * binds in one piece, on PGlite and PostgreSQL alike. Rows come out in array order.
 */
export function rowsFrom(rows: readonly object[], alias: string, columns: string): SQL {
	return sql`jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as ${sql.raw(alias)}(${sql.raw(columns)})`;
}

/** Many uuids as one query parameter, as a uuid[] expression for `= any(…)`. */
export function uuidsFrom(ids: readonly string[]): SQL {
	return sql`array(select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::uuid)`;
}

/**
 * `select <one expression per column> from <source>` with the expressions in the table's
 * column order, which is the order `insert(table).select(sql)` lists the columns in. The
 * record type makes the compiler ask for every column, so a column added later cannot
 * silently shift the others.
 */
export function selectForInsert<T extends PgTable>(
	table: T,
	expressions: { [K in keyof T['$inferInsert']]-?: SQL },
	source: SQL
): SQL {
	const list = Object.keys(getTableColumns(table)).map((key) => {
		const expression = (expressions as Record<string, SQL | undefined>)[key];
		if (!expression) throw new Error(`no expression for column ${key}`);
		return expression;
	});
	return sql`select ${sql.join(list, sql`, `)} from ${source}`;
}
