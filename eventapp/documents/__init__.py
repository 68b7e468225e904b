"""Pure PDF building (fpdf2 with embedded, subset DejaVu fonts): no database, reusable by any domain."""
