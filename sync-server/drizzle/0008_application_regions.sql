-- Hand-written: no schema change, only data. Until now every application was stored with
-- region null; from now on the server sets it from the answer its service names
-- (shared/services/region.ts), so the applications received before are given theirs here,
-- read from the answers exactly as regionOf does for the bundled catalogue (entrepreneur
-- version 1 has only a free-text address, so it never holds the key). Only REGIONS codes
-- (shared/services/address.ts) are set; anything else stays null, the national queue. A
-- region already set is kept.
UPDATE "applications" AS "a"
SET "region" = "a"."answers" ->> "s"."answer"
FROM (
	VALUES
		('trade-outlet-permit', 'siteAddress.region'),
		('individual-entrepreneur', 'businessAddress.region'),
		('birth-registration', 'birthPlace.region')
) AS "s" ("service_id", "answer")
WHERE "a"."service_id" = "s"."service_id"
	AND "a"."region" IS NULL
	AND "a"."answers" ->> "s"."answer" IN (
		'astana', 'almaty', 'shymkent', 'abai', 'akmola', 'aktobe', 'almaty-region', 'atyrau',
		'east-kazakhstan', 'zhambyl', 'zhetysu', 'west-kazakhstan', 'karaganda', 'kostanay',
		'kyzylorda', 'mangystau', 'pavlodar', 'north-kazakhstan', 'turkistan', 'ulytau'
	);
