"""The feedback demo's ideas: boards, products, idea templates and near-duplicates.

Ideas come from templates: "{p}" is a product (or a shop filter) of the template's kind,
named in the template's language. A template's last field, when set, is the line the
changelog uses once the idea ships. demo_feedback.py decides who writes what, and when;
what people reply lives in demo_feedback_replies.py.
"""
from __future__ import annotations

# kind -> (English name, French name, or None when French templates skip it)
PRODUCTS = {
    "boots": [("Ridge boots", "chaussures Ridge"), ("Trail Pro shoes", "chaussures Trail Pro"),
              ("Scree mids", "chaussures Scree Mid"), ("Tarn approach shoes", "chaussures d'approche Tarn")],
    "jackets": [("Ridge jacket", "veste Ridge"), ("Storm shell", "veste Storm"), ("Drift down jacket", "doudoune Drift"),
                ("Cirrus fleece", "polaire Cirrus"), ("Gale windshirt", None)],
    "tents": [("Meadow 3 tent", "tente Meadow 3"), ("Hollow 2 tent", "tente Hollow 2"), ("Bivvy 1", "tente Bivvy 1"),
              ("Basecamp 6 tent", "tente Basecamp 6")],
    "packs": [("Alpine 40 pack", "sac Alpine 40"), ("Summit 65 pack", "sac Summit 65"), ("Daypack 22", "sac Daypack 22"),
              ("Rando 30 pack", "sac Rando 30")],
    "filters": [("weight", "le poids"), ("waterproof rating", "l'imperméabilité"),
                ("temperature rating", "la température de confort"), ("recycled content", "la part recyclée"),
                ("activity", "l'activité")],
}

BOARDS = [
    # slug, name, description, visibility, vote budget, categories, days since it opened
    ("product-ideas", "Product ideas", "What should we make next, or make better? Tell us, and vote for the ideas you want most.",
     "public", 10, ["Footwear", "Jackets & shells", "Tents", "Packs", "Accessories"], 545),
    ("website-app", "Website & app", "Ideas for the online shop, your account and the Fernhill app.", "public", 10,
     ["Shop", "Account", "Mobile app"], 540),
    ("sustainability", "Sustainability", "Repair, materials, packaging: help us make gear that lasts and costs the planet less.",
     "members", None, ["Repair & care", "Materials", "Packaging"], 400),
    ("superfan-lab", "Superfan lab",
     "Our top fans' corner: prototypes, events and collaborations. Five votes each, use them well!", "superfans", 5,
     ["Prototypes", "Events", "Collabs"], 240),
]

# board -> [(category, product kind or None, language, title, description, changelog line or "")]
TEMPLATES: dict[str, list[tuple[str, str | None, str, str, str, str]]] = {
    "product-ideas": [
        ("Footwear", "boots", "en", "Half sizes for the {p}", "I'm a 42.5 and always between two sizes: the 42 crushes my toes "
         "on descents and the 43 lets my heel lift.", "half sizes from 38.5 to 46.5 for the {p}"),
        ("Footwear", "boots", "en", "Vegan version of the {p}", "I'd love the {p} with a synthetic upper instead of leather. "
         "Same last, same sole, no animal products.", "a vegan {p} with a recycled synthetic upper"),
        ("Footwear", "boots", "en", "Longer laces for the {p}", "The stock laces on the {p} are too short to double-knot when I "
         "lace up to the top hook.", "longer laces (150 cm) in every box of {p}"),
        ("Footwear", "boots", "en", "Women's last for the {p}", "The {p} are unisex but the heel cup is too roomy for me. A "
         "women's last with a narrower heel would stop the blisters.", "a women's last for the {p}, with a narrower heel cup"),
        ("Footwear", "boots", "en", "Bring back the deep lugs on the {p}", "The new outsole on the {p} is less grippy on wet "
         "limestone than the old one. Please bring back the deeper lugs!", "the deeper 5 mm lugs are back on the {p}"),
        ("Footwear", "boots", "en", "Sizes above 47 for the {p}", "I wear a 48 and nothing in the range fits me. Even just the "
         "{p} in 48 and 49 would be great.", "the {p} now go up to size 49"),
        ("Footwear", "boots", "en", "Gaiter hook on the {p}", "A small metal hook at the front of the laces would keep gaiters "
         "in place. Snow gets in otherwise.", "a gaiter hook on the {p}"),
        ("Footwear", "boots", "en", "Heel pull loop on the {p}", "A sturdy heel loop would make the {p} much easier to pull on "
         "with cold hands.", "a heel pull loop on the {p}"),
        ("Footwear", "boots", "fr", "Demi-pointures pour les {p}", "Je suis entre le 41 et le 42, et aucune des deux pointures "
         "ne tombe bien en descente.", "des demi-pointures du 38,5 au 46,5 pour les {p}"),
        ("Footwear", "boots", "fr", "Service de ressemelage pour les {p}", "Mes {p} ont encore un super dessus mais la semelle "
         "est usée. Je préférerais les ressemeler plutôt que d'en racheter.", "un service de ressemelage pour les {p}"),
        ("Jackets & shells", "jackets", "en", "Pit zips on the {p}", "The {p} is great in the rain but I cook on the climbs. Pit "
         "zips would let me vent without taking it off.", "pit zips on the {p}, two-way with storm flaps"),
        ("Jackets & shells", "jackets", "en", "Helmet-compatible hood on the {p}", "The hood on the {p} doesn't fit over a "
         "climbing helmet. A bigger, adjustable hood would make it an alpine jacket too.", "a helmet-compatible hood on the {p}"),
        ("Jackets & shells", "jackets", "en", "Tall sizes for the {p}", "I'm 1.93 m and the sleeves of the {p} ride up whenever "
         "I reach for a hold. A tall fit with 5 cm more in the arms and back, please!", "tall sizes (+5 cm in sleeves and back) "
         "for the {p}"),
        ("Jackets & shells", "jackets", "en", "Map-sized chest pocket on the {p}", "The chest pocket of the {p} fits a phone but "
         "not a folded map. One big enough for an A5 map would be handy.", "an A5 map pocket on the {p}"),
        ("Jackets & shells", "jackets", "en", "Bring back the orange {p}", "The orange {p} was the easiest thing to spot on a "
         "grey ridge. Safety colours matter: please bring it back.", "the {p} in signal orange, back for good"),
        ("Jackets & shells", "jackets", "en", "{p} that packs into its own pocket", "If the {p} stuffed into its own chest "
         "pocket it would live in my pack all year round.", "a {p} that packs into its own pocket, with a clip loop"),
        ("Jackets & shells", "jackets", "en", "Two-way front zip on the {p}", "A two-way zip would let me open the bottom of the "
         "{p} when I wear a harness.", "a two-way front zip on the {p}"),
        ("Jackets & shells", "jackets", "en", "Thumb loops on the {p}", "Thumb loops would keep the sleeves of the {p} over my "
         "gloves in the wind.", "thumb loops on the {p}"),
        ("Jackets & shells", "jackets", "en", "Longer back hem on the {p}", "The {p} rides up at the back when I bend over with "
         "a pack on. A dropped hem would keep the rain out.", "a dropped back hem on the {p}"),
        ("Jackets & shells", "jackets", "fr", "Capuche compatible casque pour la {p}", "La capuche de la {p} ne passe pas sur un "
         "casque d'escalade. Une capuche plus grande et réglable serait idéale.", "une capuche compatible casque sur la {p}"),
        ("Jackets & shells", "jackets", "fr", "Grandes tailles pour la {p}", "Je mesure 1,92 m et les manches de la {p} "
         "remontent dès que je lève les bras.", "des tailles longues pour la {p}"),
        ("Jackets & shells", "jackets", "fr", "Aérations sous les bras sur la {p}", "En montée j'ai trop chaud dans la {p}. Des "
         "zips d'aération sous les bras changeraient tout.", "des zips d'aération sous les bras sur la {p}"),
        ("Tents", "tents", "en", "Lighter poles for the {p}", "The {p} is lovely but heavy for solo trips. Carbon or thinner "
         "aluminium poles could save a few hundred grams.", "lighter DAC poles for the {p}, 240 g saved"),
        ("Tents", "tents", "en", "Second door on the {p}", "With two people in the {p}, whoever sleeps at the back climbs over "
         "the other at 3 a.m. A second door and vestibule, please!", "a second door and vestibule on the {p}"),
        ("Tents", "tents", "en", "Spare pole section in the {p} bag", "A spare section and a repair sleeve in the bag would save "
         "a trip when a pole snaps.", "a spare pole section and repair sleeve with every {p}"),
        ("Tents", "tents", "en", "Darker inner for the {p}", "Summer sunrise at 5 a.m. wakes me every time. A darker inner "
         "fabric for the {p} would help me sleep.", "a darker inner option for the {p}"),
        ("Tents", "tents", "en", "More guy-out points on the {p}", "The {p} flaps a lot in strong wind. Two extra guy-out points "
         "on the windward side would steady it.", "two extra guy-out points on the {p}"),
        ("Tents", "tents", "en", "Mesh pockets inside the {p}", "There's nowhere to put a headlamp and glasses in the {p}. A "
         "couple of mesh pockets at the head end would be great.", "mesh pockets inside the {p}"),
        ("Tents", "tents", "en", "Colour-coded poles for the {p}", "Pitching the {p} in the dark would be quicker if the poles "
         "and sleeves were colour-coded.", "colour-coded poles and sleeves on the {p}"),
        ("Tents", "tents", "fr", "Tapis de sol adapté à la {p}", "Un tapis de sol sur mesure pour la {p} protégerait le fond sur "
         "les terrains caillouteux.", "un tapis de sol sur mesure pour la {p}"),
        ("Tents", "tents", "fr", "Deuxième porte sur la {p}", "À deux dans la {p}, celui du fond doit enjamber l'autre la nuit. "
         "Une deuxième porte serait top.", "une deuxième porte sur la {p}"),
        ("Tents", "tents", "fr", "Plus de points d'ancrage sur la {p}", "Par grand vent la {p} bat beaucoup. Deux haubans de "
         "plus côté vent la stabiliseraient.", "deux points d'ancrage de plus sur la {p}"),
        ("Packs", "packs", "en", "Short back length for the {p}", "The {p} only comes in one back length and it's too long for "
         "me: all the weight ends up on my shoulders.", "an S back length for the {p}"),
        ("Packs", "packs", "en", "Built-in rain cover for the {p}", "A rain cover stowed in the lid of the {p} would save me "
         "buying one that never fits.", "a rain cover stowed in the lid of the {p}"),
        ("Packs", "packs", "en", "Hydration sleeve in the {p}", "A sleeve and hose port for a water bladder in the {p}, like "
         "most packs have now.", "a hydration sleeve and hose port in the {p}"),
        ("Packs", "packs", "en", "Ice axe loops on the {p}", "Two ice axe loops and bungee holders would make the {p} usable in "
         "winter.", "ice axe loops on the {p}"),
        ("Packs", "packs", "en", "Side access zip on the {p}", "Digging to the bottom of the {p} for my down jacket is a pain. A "
         "side zip into the main compartment, please.", "a side zip into the main compartment of the {p}"),
        ("Packs", "packs", "en", "Women's harness for the {p}", "Shorter shoulder straps and a curved hip belt would make the "
         "{p} far more comfortable for me.", "a women's harness for the {p}"),
        ("Packs", "packs", "en", "Stretch front pocket on the {p}", "A stretch mesh pocket on the front of the {p} for a wet "
         "shell or a map.", "a stretch front pocket on the {p}"),
        ("Packs", "packs", "fr", "Poches sur la ceinture du {p}", "J'aimerais attraper mon téléphone et mes barres sans enlever "
         "le {p}.", "des poches zippées sur la ceinture du {p}"),
        ("Packs", "packs", "fr", "Housse de pluie intégrée au {p}", "Une housse de pluie rangée dans le rabat du {p}, ce serait "
         "parfait.", "une housse de pluie intégrée au {p}"),
        ("Packs", "packs", "fr", "Dos court pour le {p}", "Le {p} est trop long de dos pour moi, tout le poids part sur les "
         "épaules.", "une taille de dos courte pour le {p}"),
        ("Accessories", None, "en", "Merino liner gloves", "Thin merino gloves to wear under shells or on their own in spring. "
         "Touchscreen fingertips would be a bonus.", "merino liner gloves with touchscreen fingertips"),
        ("Accessories", None, "en", "Toe socks in the Summit range", "Toe socks stop the blisters between my toes on long days. "
         "A Summit version would sell out.", "Summit toe socks"),
        ("Accessories", None, "en", "Summit socks in crew length", "The Summit socks only come in quarter length; crew length "
         "works better with boots.", "Summit socks in crew length"),
        ("Accessories", None, "en", "Trekking poles with flick locks", "Twist locks slip when they get cold. Flick locks please, "
         "and a foam grip extension.", "trekking poles with flick locks and a foam grip extension"),
        ("Accessories", None, "en", "Down booties for the tent", "Cold feet in the tent ruin the night. Light down booties with "
         "a grippy sole would be amazing.", "down tent booties with a grippy sole"),
        ("Accessories", None, "en", "Insulated bottle sleeve for the hip belt", "A sleeve that clips onto a hip belt and stops "
         "my water freezing in winter.", "an insulated bottle sleeve that clips onto any hip belt"),
        ("Accessories", None, "en", "Silk sleeping bag liner", "A silk liner adds a few degrees and keeps the bag clean on hut "
         "trips.", "a silk sleeping bag liner"),
        ("Accessories", None, "en", "Headlamp with a red light mode", "A red mode so I don't blind the whole hut at 5 a.m.",
         "a headlamp with a red night mode"),
        ("Accessories", None, "en", "Kids' sizes for the Summit socks", "My kids keep stealing my Summit socks. Kids' sizes, "
         "please!", "Summit socks in kids' sizes"),
        ("Accessories", None, "en", "Reflective details on the running range", "I run in the dark all winter: more reflective "
         "details on the tights and vests would help.", "reflective details across the running range"),
        ("Accessories", None, "en", "Neck gaiter made from jacket offcuts", "A neck gaiter sewn from the fabric offcuts of the "
         "jackets would be useful and would waste less.", "neck gaiters made from jacket offcuts"),
        ("Accessories", None, "fr", "Gants fins en mérinos", "Des sous-gants fins en mérinos pour le printemps, compatibles "
         "écran tactile si possible.", "des gants fins en mérinos, compatibles écran tactile"),
        ("Accessories", None, "fr", "Chaussettes Summit pour enfants", "Mes enfants me piquent mes chaussettes Summit. Des "
         "tailles enfant, vite !", "les chaussettes Summit en tailles enfant"),
        ("Accessories", None, "fr", "Bâtons de rando avec serrage rapide", "Les bâtons à vis glissent quand il fait froid. Un "
         "serrage à levier serait plus fiable.", "des bâtons avec serrage à levier"),
    ],
    "website-app": [
        ("Shop", "filters", "en", "Filter the shop by {p}", "When I compare gear I care most about {p}, and today I have to open "
         "every product page to find it.", "a {p} filter in the shop"),
        ("Shop", None, "en", "Compare two products side by side", "A compare button showing weight, materials and ratings in "
         "columns would save me ten open tabs.", "side-by-side product comparison"),
        ("Shop", None, "en", "Show stock per size before checkout", "I only find out my size is gone at the very last step.",
         "stock per size on every product page"),
        ("Shop", None, "en", "Customer photos on product pages", "Studio photos are nice but I want to see the jacket on real "
         "people, in real rain.", "customer photos on product pages"),
        ("Shop", None, "en", "Pay in three instalments", "Tents and packs are big purchases; splitting the payment would help a "
         "lot.", "payment in three instalments at checkout"),
        ("Shop", None, "en", "Gift cards sent by email", "My family never knows what to get me. An e-gift card would solve it.",
         "e-gift cards, delivered by email"),
        ("Shop", None, "en", "Back-in-stock alert for my size", "Let me leave my email and get a message when my size is back.",
         "back-in-stock alerts per size"),
        ("Shop", None, "en", "Delivery to parcel lockers", "I'm never home when the courier comes. Parcel lockers would be "
         "perfect.", "delivery to parcel lockers"),
        ("Shop", None, "en", "Show the weight of every size", "The weight listed is always for size M. What does my XL weigh?",
         "weight per size on product pages"),
        ("Shop", None, "en", "Fabric details in plain language", "\"20D ripstop with C0 DWR\" means nothing to most people. A "
         "short explanation next to it would help.", "plain-language fabric guides on product pages"),
        ("Account", None, "en", "Two-factor authentication", "My account holds my address and card; I'd like a second factor to "
         "sign in.", "two-factor authentication with an authenticator app"),
        ("Account", None, "en", "Sign in with a passkey", "Passwords are a pain on my phone. Passkeys please!",
         "passkey sign-in"),
        ("Account", None, "en", "Download my warranty certificates", "Keep the warranty of everything I bought in my account, "
         "ready to download.", "warranty certificates in your account"),
        ("Account", None, "en", "Track my repairs in my account", "I sent my jacket for repair and had no idea where it was for "
         "three weeks.", "repair tracking in your account"),
        ("Account", None, "en", "Care reminders for registered gear", "Remind me to reproof my shell every autumn, and tell me "
         "how.", "care reminders for the gear you register"),
        ("Account", None, "en", "Choose which emails I get", "I want the community digest but not every sale email.",
         "email preferences, one list at a time"),
        ("Account", None, "en", "Export all my data", "A single download with my orders, posts and ideas.", "a full data export"),
        ("Mobile app", None, "en", "Offline trail maps in the app", "Signal is the first thing to go in the mountains. Let me "
         "download the map before I leave.", "offline trail maps in the app"),
        ("Mobile app", None, "en", "Scan a product tag for care instructions", "Scan the label and see how to wash and repair "
         "it.", "tag scanning with care instructions"),
        ("Mobile app", None, "en", "Home-screen widget with my order status", "One glance instead of opening the app five times.",
         "an order status widget"),
        ("Mobile app", None, "en", "Share a trip report from the app", "Photos, route and the gear I used, posted to the "
         "community in one go.", "trip reports from the app"),
        ("Mobile app", None, "en", "Larger text option in the app", "The product details are tiny on my phone.", "a larger text "
         "setting in the app"),
        ("Mobile app", None, "en", "Log the kilometres on my shoes", "Running apps track shoe mileage; I'd love that for my "
         "hiking boots.", "mileage tracking for your footwear"),
        ("Shop", None, "en", "Size advice based on the boots I already own", "Tell me my Fernhill size from the brand and size I "
         "wear today.", "size advice based on the brands you already wear"),
        ("Shop", None, "en", "Free returns on sale items", "Sale items can't be returned for free, so I never buy them online.",
         ""),
        ("Shop", None, "en", "A wishlist I can share with family", "Birthdays would be so much easier.", "shareable wishlists"),
        ("Shop", None, "en", "Repairability score on product pages", "Tell me before I buy how easy it is to repair.", ""),
        ("Shop", None, "en", "Click and collect at partner shops", "The nearest Fernhill store is 200 km away, but three partner "
         "shops are close.", "click and collect at 140 partner shops"),
        ("Account", None, "en", "Reorder button in my order history", "I buy the same socks every autumn.", "one-click reorder"),
        ("Account", None, "en", "Link my hiking club membership", "Our club has a discount; entering the code every time is a "
         "chore.", "club memberships linked to your account"),
        ("Account", None, "en", "Show my community badges on my profile", "A little recognition for the people who answer "
         "questions.", ""),
        ("Mobile app", None, "en", "Smartwatch companion for trail notes", "Dictate a note about the gear on the move, read it "
         "later.", ""),
        ("Mobile app", None, "en", "Member barcode in the app", "Show my member barcode at the till instead of a plastic card.",
         "your member barcode in the app"),
        ("Mobile app", None, "en", "Trip packing lists from the gear I own", "Pick a trip type and get a list from what I "
         "already have.", "packing lists built from your registered gear"),
        ("Mobile app", None, "en", "Faster start on older phones", "The app takes ten seconds to open on my 2019 phone.",
         "an app that starts twice as fast"),
        ("Mobile app", None, "en", "Push notification when an idea I voted for changes", "I'd like to know the day an idea I "
         "voted for is planned or shipped.", "push notifications for ideas you follow"),
        ("Shop", "filters", "fr", "Un filtre sur {p} dans la boutique", "Pour comparer je regarde d'abord {p}, et il faut ouvrir "
         "chaque fiche produit pour le trouver.", "un filtre sur {p} dans la boutique"),
        ("Shop", None, "fr", "Paiement en trois fois", "Une tente, c'est un gros achat : payer en trois fois aiderait beaucoup.",
         "le paiement en trois fois"),
        ("Shop", None, "fr", "Livraison en point relais", "Je ne suis jamais chez moi quand le livreur passe.", "la livraison en "
         "point relais"),
        ("Shop", None, "fr", "Fiches produits entièrement en français", "Certaines fiches techniques ne sont qu'en anglais.",
         "toutes les fiches produits traduites en français"),
        ("Mobile app", None, "fr", "Mode sombre dans l'application", "Le soir, sous la tente, l'écran blanc m'éblouit.",
         "le mode sombre dans l'application"),
        ("Mobile app", None, "fr", "Application utilisable hors connexion", "En montagne je n'ai pas de réseau, je voudrais "
         "quand même voir mes commandes et mes cartes.", "le mode hors connexion"),
    ],
    "sustainability": [
        ("Materials", "jackets", "en", "PFC-free waterproofing on the {p}", "PFCs stay in the environment for ever. I'd accept "
         "reproofing a bit more often.", "PFC-free waterproofing on the {p}"),
        ("Materials", "packs", "en", "Recycled fabric for the {p}", "The {p} could easily use recycled nylon: same strength, "
         "less oil.", "recycled nylon for the {p}"),
        ("Materials", None, "en", "Publish the list of factories", "Tell us where our gear is made, with an audit summary for "
         "each factory.", "the full list of our factories, with audit summaries"),
        ("Materials", None, "en", "Carbon footprint on every product page", "A number per product would help me choose, even a "
         "rough one.", "a carbon footprint estimate on every product page"),
        ("Materials", None, "en", "Undyed natural colour options", "Dyeing uses a lot of water. An undyed option would be honest "
         "and look good.", "undyed colour options for the fleece range"),
        ("Materials", None, "en", "Bluesign fabrics across the whole range", "Some lines are Bluesign, some aren't. Go all in!",
         ""),
        ("Repair & care", None, "en", "Spare parts shop: buckles, zips, pole sections", "I lost a sternum strap buckle and had "
         "to buy a whole new pack strap.", "a spare parts shop: buckles, zip pullers, pole sections and more"),
        ("Repair & care", None, "en", "Monthly repair café in our stores", "Bring broken gear, learn to fix it with the staff.",
         "monthly repair cafés in every Fernhill store"),
        ("Repair & care", None, "en", "Second-hand section in the shop", "Buy back good used gear, clean it and sell it with a "
         "warranty.", "Fernhill Second Life, our used-gear shop"),
        ("Repair & care", None, "en", "Rent gear for a single trip", "I need a 4-season tent once a year. Renting would make "
         "more sense.", "gear rental for weekend trips"),
        ("Repair & care", None, "en", "Five-year warranty on footwear", "Packs get five years; boots deserve the same.", ""),
        ("Repair & care", None, "en", "Care guides for each product", "Short videos: how to wash, reproof and store each item.",
         "care guides and videos for every product"),
        ("Repair & care", None, "en", "Trade in old boots for a discount", "A discount on new boots when I bring the old pair in "
         "for recycling.", "boot trade-in: 15% off when you recycle your old pair"),
        ("Packaging", None, "en", "Plastic-free packaging for online orders", "Every order arrives with each item in its own "
         "plastic bag.", "plastic-free packaging for all online orders"),
        ("Packaging", None, "en", "Ship an order in one box, not three", "My last order came in three boxes on three days.",
         "one box per order, whenever the stock allows"),
        ("Packaging", None, "en", "Reusable shipping bags", "A returnable shipping bag like some shops use now.", ""),
        ("Packaging", None, "en", "Slower, greener shipping option", "I'm happy to wait a week if it means no air freight.",
         "a slower, lower-carbon shipping option at checkout"),
        ("Materials", "jackets", "fr", "Imperméabilisation sans PFC sur la {p}", "Les PFC restent dans la nature pour toujours. "
         "Je veux bien réimperméabiliser plus souvent.", "l'imperméabilisation sans PFC sur la {p}"),
        ("Repair & care", None, "fr", "Ateliers de réparation en magasin", "Apprendre à réparer son matériel avec l'équipe du "
         "magasin, une fois par mois.", "des ateliers de réparation mensuels en magasin"),
        ("Repair & care", None, "fr", "Pièces détachées en vente", "Boucles, curseurs de zip, arceaux : tout ce qui casse en "
         "premier.", "la boutique de pièces détachées"),
        ("Repair & care", None, "fr", "Location de matériel pour un week-end", "Une tente 4 saisons une fois par an, je préfère "
         "louer.", "la location de matériel pour le week-end"),
        ("Packaging", None, "fr", "Emballages sans plastique", "Chaque article arrive dans son propre sachet plastique, c'est "
         "dommage.", "des emballages sans plastique pour toutes les commandes"),
    ],
    "superfan-lab": [
        ("Prototypes", None, "en", "Vote on next season's colourways", "Show us three or four options and let superfans pick.",
         "the colourway vote, now every season"),
        ("Prototypes", "jackets", "en", "Community-designed limited {p}", "A limited run of the {p} with details we design "
         "together.", "a community-designed limited {p}"),
        ("Prototypes", None, "en", "Beta-test new app features", "Let us try new features a few weeks early and report bugs.",
         "the app beta programme for superfans"),
        ("Prototypes", None, "en", "Name the next tent", "A naming contest for the next tent, winner gets the first one off the "
         "line.", "the tent naming contest"),
        ("Prototypes", None, "en", "Publish field-test reports with our names", "Credit testers on the product page.", ""),
        ("Events", None, "en", "Annual superfan weekend in the Alps", "Two days of hiking with the design team, once a year.",
         "the first superfan weekend in Chamonix"),
        ("Events", None, "en", "Quarterly meet-the-designers call", "An hour with the designers every quarter, questions from "
         "us.", "quarterly calls with the design team"),
        ("Events", None, "en", "Behind-the-scenes factory visit", "See where the Ridge boots are made, in Portugal.", ""),
        ("Events", None, "en", "Early access to the spring drop", "A 24-hour head start for superfans on new releases.",
         "24-hour early access to new releases"),
        ("Collabs", None, "en", "Collab with a mountain guides' association", "Gear designed and tested with working guides.",
         ""),
        ("Collabs", None, "en", "Signed map of the test routes", "A print of the routes where the team tests samples.", ""),
        ("Collabs", None, "en", "Priority repairs for superfans", "Our gear gets used hard; a faster repair lane would help.",
         ""),
        ("Events", None, "fr", "Week-end superfans dans les Pyrénées", "Pas que dans les Alpes : on est nombreux dans le "
         "Sud-Ouest !", "le week-end superfans dans les Pyrénées"),
        ("Collabs", None, "fr", "Collaboration avec un refuge de montagne", "Un partenariat avec un refuge, pour du matériel "
         "testé par les gardiens.", ""),
    ],
}

# Near-duplicates on purpose: (board, category, original lang, title, description, duplicate lang, title, description, merged).
DUPLICATES = [
    ("product-ideas", "Footwear", "en", "Wide-fit version of the Ridge boots", "I have wide feet and the Ridge boots pinch at "
     "the little toe after an hour, even a size up. An E or EE width would make them perfect.", "en", "Ridge boots in wide sizes",
     "Love the Ridge boots but they're narrow for me. Any chance of a wide version?", True),
    ("product-ideas", "Jackets & shells", "en", "Pit zips on the Storm shell", "The Storm shell is great in the rain but I "
     "overheat on every climb. Pit zips would let me vent without stopping.", "en", "Ventilation zips under the arms of the "
     "Storm shell", "Underarm vents, like the old Storm had.", True),
    ("product-ideas", "Packs", "en", "Hip-belt pockets on the Alpine 40 pack", "I want my snacks and phone without taking the "
     "Alpine 40 off. Zipped hip-belt pockets, please!", "en", "Alpine 40: pockets on the waist belt", "Just two small pockets on "
     "the belt would do.", True),
    ("product-ideas", "Footwear", "en", "Resoling service for the Trail Pro shoes", "The uppers on my Trail Pro shoes are still "
     "great after 900 km but the tread is bald. I'd rather resole them than buy a new pair.", "en", "Can you resole Trail Pro "
     "shoes?", "Mine are worn at the heel only. It feels wasteful to bin them.", True),
    ("product-ideas", "Jackets & shells", "en", "Helmet-compatible hood on the Ridge jacket", "The Ridge jacket hood doesn't go "
     "over a climbing helmet. A bigger, adjustable hood would make it an alpine jacket too.", "fr", "Capuche de la veste Ridge "
     "trop petite pour un casque", "Impossible de mettre la capuche sur mon casque.", True),
    ("product-ideas", "Tents", "en", "Footprint for the Meadow 3 tent", "A matching groundsheet for the Meadow 3 would protect "
     "the floor on rocky pitches; universal ones never fit the corners.", "en", "Groundsheet for the Meadow 3", "The floor of my "
     "Meadow 3 has two small holes already.", True),
    ("product-ideas", "Jackets & shells", "en", "Ridge jacket in tall sizes", "Long arms here: the Ridge jacket sleeves ride up "
     "when I use poles.", "en", "Longer sleeves option for the Ridge jacket", "Same jacket, 5 cm more in the arms.", False),
    ("product-ideas", "Footwear", "en", "Ridge boots in half sizes", "Between a 43 and a 44, neither fits right.", "fr",
     "Demi-pointures pour les chaussures Ridge", "Je fais du 42,5 : le 42 est trop petit, le 43 trop grand.", False),
    ("website-app", "Mobile app", "en", "Dark mode in the app", "The white screen is blinding in the tent at night.", "en",
     "Night theme for the mobile app", "Please add a dark theme, my eyes will thank you.", True),
    ("website-app", "Shop", "en", "Sort products by weight", "Ultralight folks choose by grams first. Let me sort by weight.",
     "en", "Lightest first: a weight sort in the shop", "A sort option from lightest to heaviest.", True),
    ("website-app", "Account", "en", "Save my sizes in my account", "Remember my shoe and jacket sizes so product pages pick "
     "them.", "en", "Remember my shoe and jacket size", "I always re-pick the same sizes.", False),
    ("sustainability", "Repair & care", "en", "Take-back programme for worn-out gear", "When gear is beyond repair, take it back "
     "and recycle the fabric instead of landfill.", "en", "Recycle old Fernhill clothes in store", "A drop-off bin in stores for "
     "old fleeces and shells.", True),
    ("sustainability", "Repair & care", "en", "Repair service for all jackets", "Zips, seams, delamination: repair instead of "
     "replace, at cost after the warranty.", "en", "Jacket repairs instead of replacements", "My shell's zip broke; they offered "
     "a discount on a new one. I wanted a fix.", True),
    ("superfan-lab", "Prototypes", "en", "Superfans test prototypes before launch", "Send samples to a few of us for a month of "
     "real use before the design is final.", "en", "Prototype testing programme for superfans", "Let us field-test new gear "
     "early.", False),
]
SPAM = ("Best outdoor deals, 80% off all brands", "Visit our outlet for huge discounts!!! Link in my profile.")

EXTRA = {  # a sentence some authors add; keyed (language, about gear?) as in demo_feedback_replies.py
    ("en", False): ["My whole walking club has been asking for this.", "Other brands already do this.",
                    "It would make a real difference for me."],
    ("en", True): ["I hike most weekends, so this would get a lot of use.", "Happy to test a prototype if that helps!",
                   "I'd honestly pay a bit more for it.",
                   "It's the one thing I'd change about an otherwise perfect piece of kit."],
    ("fr", False): ["Tout mon club de rando le demande.", "D'autres marques le font déjà."],
    ("fr", True): ["Je randonne presque tous les week-ends, ça servirait beaucoup.", "Je veux bien tester un prototype !",
                   "Je serais prêt à payer un peu plus."],
}
