-- A document's lines are written by its header's insert (the trigger of
-- migration 0015, which also checks they sum to the header's total) and
-- never change afterwards. Before this, that held only for the header: an
-- INSERT into a lines table straight away (not by the header's trigger),
-- an UPDATE or a DELETE of a line, changed what the header's total had
-- been checked against. Now each is refused by name
-- (`<lines table>_written_with_header`).
--
-- The insert trigger is called only outside any trigger (its WHEN clause,
-- evaluated without calling the function): the header's trigger writes the
-- lines at depth 1, so the writes the service makes cost no call.
CREATE FUNCTION accubooks_lines_written_with_header() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are written by their header''s insert and never changed (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'check_violation', CONSTRAINT = TG_TABLE_NAME || '_written_with_header';
END
$$;

CREATE TRIGGER invoice_lines_written_with_header BEFORE INSERT ON invoice_lines
    FOR EACH ROW WHEN (pg_trigger_depth() = 0) EXECUTE FUNCTION accubooks_lines_written_with_header();
CREATE TRIGGER invoice_lines_fixed BEFORE UPDATE OR DELETE ON invoice_lines
    FOR EACH ROW EXECUTE FUNCTION accubooks_lines_written_with_header();
CREATE TRIGGER bill_lines_written_with_header BEFORE INSERT ON bill_lines
    FOR EACH ROW WHEN (pg_trigger_depth() = 0) EXECUTE FUNCTION accubooks_lines_written_with_header();
CREATE TRIGGER bill_lines_fixed BEFORE UPDATE OR DELETE ON bill_lines
    FOR EACH ROW EXECUTE FUNCTION accubooks_lines_written_with_header();
CREATE TRIGGER payroll_lines_written_with_header BEFORE INSERT ON payroll_lines
    FOR EACH ROW WHEN (pg_trigger_depth() = 0) EXECUTE FUNCTION accubooks_lines_written_with_header();
CREATE TRIGGER payroll_lines_fixed BEFORE UPDATE OR DELETE ON payroll_lines
    FOR EACH ROW EXECUTE FUNCTION accubooks_lines_written_with_header();
