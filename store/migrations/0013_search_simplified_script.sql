-- Names are indexed in simplified characters now (陳 is held as 陈, so either script finds
-- it): rows written before hold the traditional form, and are written again from `guests`
-- the next time the application opens the database.
UPDATE search_index_state SET rebuild = 1 WHERE EXISTS (SELECT 1 FROM guests);
