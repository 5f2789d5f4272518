-- A credit note refers to the invoice it credits; a corrective invoice to the invoice it replaces.
ALTER TABLE invoice ADD COLUMN refers_to text REFERENCES invoice (number);
CREATE INDEX invoice_refers_to ON invoice (refers_to);
