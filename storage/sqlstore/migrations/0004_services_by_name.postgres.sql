-- contactdesk schema 4: each contact's services in name order. The first
-- screenful of a long list (FirstServicesOf) reads the first names of
-- each role's index and stops, however many services the account holds;
-- the indexes still find a contact's services as the ones they replace.
DROP INDEX services_admin;
DROP INDEX services_tech;
DROP INDEX services_billing;
CREATE INDEX services_admin_name ON services(admin, name);
CREATE INDEX services_tech_name ON services(tech, name);
CREATE INDEX services_billing_name ON services(billing, name);
