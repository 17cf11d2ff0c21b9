-- Reading a whole view (every region's figures of an indicator over some years) should not look up
-- each row in the table: the index by indicator carries the value itself.
DROP INDEX observations_by_indicator;
CREATE INDEX observations_by_indicator ON observations (indicator, year, region, quarter, value);
