"""The question cycle: a journalist's or a site's question, triaged, answered by a ministry unit on
stage or in writing, sent to every asker and published."""
